import Foundation
import KeelConformance

/// He-normal, N(0, 2/fanIn), with an optional defect.
struct DefectiveHeNormal: Initializer {
    enum Defect: Sendable { case none, usesFanOut, systemRandom, flattensShape, ignoresReceptiveField }
    var defect: Defect

    func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        let fans = Self.fans(of: shape)
        let fanIn: Int
        switch defect {
        case .usesFanOut: fanIn = fans.fanOut
        case .ignoresReceptiveField: fanIn = shape.count >= 2 ? shape[1] : fans.fanIn
        default: fanIn = fans.fanIn
        }
        let deviation = Scalar((2 / Double(fanIn)).squareRoot())
        let tensor: Tensor<Scalar>
        if defect == .systemRandom {
            var system = SystemRandomNumberGenerator()
            tensor = Tensor(randomNormal: shape, standardDeviation: deviation, using: &system)
        } else {
            tensor = Tensor(randomNormal: shape, standardDeviation: deviation, using: &generator)
        }
        return defect == .flattensShape ? tensor.reshaped(to: [tensor.scalarCount]) : tensor
    }

    /// The declared formula: mean 0, variance 2/fanIn.
    @Sendable static func moments(_ shape: [Int]) -> InitializerMoments {
        InitializerMoments(mean: 0, variance: 2 / Double(fans(of: shape).fanIn))
    }
}

/// Skips a step whose loss is not finite and stops after two in a row.
struct PatienceMonitor: Monitor {
    var consecutiveNonFinite = 0

    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        guard !observation.loss.isFinite else {
            consecutiveNonFinite = 0
            return .proceed
        }
        consecutiveNonFinite += 1
        return consecutiveNonFinite >= 2 ? .stop(reason: "two non-finite losses in a row") : .skipUpdate(reason: "non-finite loss")
    }

    static let script: [ScriptedStep] = [
        .step(0, loss: 1, expect: .proceed),
        .step(1, loss: .nan, expect: .skipUpdate),
        .step(2, loss: .infinity, expect: .stop),
        .step(3, loss: 0.5, expect: .proceed),
        .step(4, loss: .nan, expect: .skipUpdate),
        .step(5, loss: 0.4, expect: .proceed),
    ]
}

/// Breaks scriptedVerdicts: proceeds on a non-finite loss.
struct CarelessMonitor: Monitor {
    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict { .proceed }
}

/// Breaks codableRoundTripContinues: the counter is not encoded.
struct ForgetfulPatienceMonitor: Monitor {
    var inner = PatienceMonitor()
    init() {}
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict { inner.inspect(observation) }
}

/// A counter in a class: copies share it.
final class SharedCount: Codable, @unchecked Sendable {
    var value = 0
}

/// Breaks copiesAreIndependent: the counter lives in a shared class instance.
struct SharedHistoryMonitor: Monitor {
    var count = SharedCount()
    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        guard !observation.loss.isFinite else {
            count.value = 0
            return .proceed
        }
        count.value += 1
        return count.value >= 2 ? .stop(reason: "two in a row") : .skipUpdate(reason: "non-finite loss")
    }
}
