import Foundation
import KeelConformance

// The mutant corpus's cells and initializers.

/// A tanh IndRNN cell: hₜ = tanh(W·xₜ + u ⊙ hₜ₋₁ + b), u drawn in [−uMax, uMax] (|u| ≤ 1 keeps
/// the recurrent Jacobian's spectral radius ≤ 1 at the zero state), with one bug.
struct CorpusIndRNNCell: Cell {
    enum Bug: String, Sendable, CaseIterable {
        case none
        /// u drawn up to 1.5.
        case recurrentInitTooLarge
        /// tanh′ taken as 1 − h instead of 1 − h².
        case wrongActivationDerivative
        /// No gradient for u.
        case missingRecurrentGradient
        /// The gradient to hₜ₋₁ skips the u factor.
        case stateGradientIgnoresWeight
        /// zeroState ignores the batch size.
        case zeroStateIgnoresBatch
        /// u and b visited under the same key.
        case duplicateKey
    }

    typealias Scalar = Double
    typealias State = Tensor<Double>
    struct StepCache: Sendable { var input, previous, output: Tensor<Double> }

    var bug: Bug
    var weight: Tensor<Double>
    var recurrent: Tensor<Double>
    var bias: Tensor<Double>

    init(_ bug: Bug, inputSize: Int = 3, hiddenSize: Int = 4, seed: UInt64 = 1) {
        self.bug = bug
        var generator = Xoshiro256StarStar(seed: seed)
        weight = Tensor(randomUniform: [hiddenSize, inputSize], lowerBound: -0.5, upperBound: 0.5, using: &generator)
        let uMax = bug == .recurrentInitTooLarge ? 1.5 : 1.0
        // Spread over the range so the largest |u| is near its bound, as with many units.
        recurrent = Tensor((0..<hiddenSize).map { uMax * (1 - 0.1 * Double($0)) * ($0.isMultiple(of: 2) ? 1 : -1) })
        bias = Tensor(randomUniform: [hiddenSize], lowerBound: -0.1, upperBound: 0.1, using: &generator)
    }

    var inputSize: Int { weight.shape[1] }
    var hiddenSize: Int { weight.shape[0] }

    func visitParameters(_ visitor: (ParameterKey, Tensor<Double>) throws -> Void) rethrows {
        try visitor("weight", weight)
        try visitor("recurrent", recurrent)
        try visitor(bug == .duplicateKey ? "recurrent" : "bias", bias)
    }

    mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Double>) throws -> Void) rethrows {
        try visitor("weight", &weight)
        try visitor("recurrent", &recurrent)
        try visitor(bug == .duplicateKey ? "recurrent" : "bias", &bias)
    }

    func zeroState(batchSize: Int) -> Tensor<Double> { .zeros([bug == .zeroStateIgnoresBatch ? 1 : batchSize, hiddenSize]) }

    func step(_ input: Tensor<Double>, state: Tensor<Double>) -> (output: Tensor<Double>, state: Tensor<Double>, cache: StepCache) {
        let output = (input.matmul(weight, transposeB: true) + recurrent * state + bias).tanh()
        return (output, output, StepCache(input: input, previous: state, output: output))
    }

    func backwardStep(
        outputGradient: Tensor<Double>, stateGradient: Tensor<Double>, cache: StepCache, gradients: inout ParameterSet<Double>
    ) -> (inputGradient: Tensor<Double>, stateGradient: Tensor<Double>) {
        let derivative = bug == .wrongActivationDerivative ? 1 - cache.output : 1 - cache.output * cache.output
        let pre = (outputGradient + stateGradient) * derivative
        gradients.addGradient(pre.matmul(cache.input, transposeA: true), for: "weight")
        if bug != .missingRecurrentGradient { gradients.addGradient((pre * cache.previous).sum(alongAxis: 0), for: "recurrent") }
        gradients.addGradient(pre.sum(alongAxis: 0), for: "bias")
        return (pre.matmul(weight), bug == .stateGradientIgnoresWeight ? pre : pre * recurrent)
    }
}

/// He-normal written from scratch, N(0, 2/fanIn), with one bug.
struct CorpusHeNormal: Initializer {
    enum Bug: String, Sendable, CaseIterable {
        case none
        /// Uses fanOut.
        case usesFanOut
        /// Ignores the receptive field of a convolution kernel.
        case ignoresReceptiveField
        /// Truncates at 2σ without rescaling (variance × 0.774).
        case truncatesWithoutCorrection
        /// Uniform with bound √(3/fanIn) (variance 1/fanIn, half the declared).
        case uniformWithWrongBound
        /// Adds 0.05σ to every value.
        case meanShift
        /// Float draws ignore the generator (a fixed internal seed).
        case floatIgnoresGenerator
        /// Draws one row and repeats it.
        case repeatsFirstRow
        /// Draws each value twice in a row (pairs of equal values).
        case duplicatesValues
    }

    var bug: Bug

    init(_ bug: Bug) { self.bug = bug }

    func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        let fans = Self.fans(of: shape)
        let fan: Int
        switch bug {
        case .usesFanOut: fan = fans.fanOut
        case .ignoresReceptiveField: fan = shape.count >= 2 ? shape[1] : fans.fanIn
        default: fan = fans.fanIn
        }
        let deviation = (2 / Double(fan)).squareRoot()
        let count = shape.reduce(1, *)
        var values: [Double] = []
        values.reserveCapacity(count)
        var fixed = Xoshiro256StarStar(seed: 42)
        func normal() -> Double {
            if bug == .floatIgnoresGenerator && Scalar.self == Float.self { return fixed.nextNormal() }
            return generator.nextNormal()
        }
        while values.count < count {
            switch bug {
            case .truncatesWithoutCorrection:
                var z = normal()
                while abs(z) > 2 { z = normal() }
                values.append(z * deviation)
            case .uniformWithWrongBound:
                let bound = (3 / Double(fan)).squareRoot()
                values.append((generator.nextUnitDouble() * 2 - 1) * bound)
            case .meanShift: values.append((normal() + 0.05) * deviation)
            case .duplicatesValues:
                let value = normal() * deviation
                values.append(value)
                if values.count < count { values.append(value) }
            default: values.append(normal() * deviation)
            }
        }
        if bug == .repeatsFirstRow, let columns = shape.last, columns > 0 {
            for index in columns..<count { values[index] = values[index % columns] }
        }
        return Tensor(shape: shape, scalars: values.map { Scalar($0) })
    }

    @Sendable static func moments(_ shape: [Int]) -> InitializerMoments {
        InitializerMoments(mean: 0, variance: 2 / Double(fans(of: shape).fanIn))
    }
}

extension RandomNumberGenerator {
    /// A standard normal draw (the first of Keel's pair).
    mutating func nextNormal() -> Double { nextStandardNormalPair().0 }
}
