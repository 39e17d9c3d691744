import Foundation
import KeelOptimizers

/// Reads a JSON fixture from `Reference/` beside this file.
func optimizerFixture(_ name: String, filePath: String = #filePath) throws -> Data {
    let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Reference")
    return try Data(contentsOf: directory.appendingPathComponent(name))
}

/// Reference/optimizers_reference.json, written by optimizers_reference.py.
struct OptimizerReference: Decodable, Sendable {
    struct Options: Decodable, Sendable {
        var learningRate: Double
        var momentum: Double?
        var dampening: Double?
        var nesterov: Bool?
        var weightDecay: Double?
        var beta1: Double?
        var beta2: Double?
        var epsilon: Double?
        var amsgrad: Bool?
        var alpha: Double?
        var centered: Bool?
        var learningRateDecay: Double?
        var initialAccumulatorValue: Double?
    }

    struct Case: Decodable, Sendable {
        var name: String
        var options: Options
        var trajectory: [[String: [Double]]]
    }

    struct ScheduleSpec: Decodable, Sendable {
        var kind: String
        var config: [String: ScheduleValue]
        var steps: [Int]?
        var values: [Double]?
    }

    /// A schedule configuration value: a number, a list of numbers, a string, a flag or a nested schedule.
    indirect enum ScheduleValue: Decodable, Sendable {
        case number(Double)
        case numbers([Double])
        case text(String)
        case flag(Bool)
        case schedule(ScheduleSpec)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) {
                self = .flag(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else if let value = try? container.decode([Double].self) {
                self = .numbers(value)
            } else if let value = try? container.decode(String.self) {
                self = .text(value)
            } else {
                self = .schedule(try container.decode(ScheduleSpec.self))
            }
        }
    }

    struct PlateauConfig: Decodable, Sendable {
        var initialLearningRate: Double
        var mode: String
        var factor: Double
        var patience: Int
        var threshold: Double
        var thresholdMode: String
        var cooldown: Int
        var minimumLearningRate: Double
    }

    struct PlateauCase: Decodable, Sendable {
        var config: PlateauConfig
        var metrics: [Double]
        var learningRates: [Double]
    }

    var shapes: [String: [Int]]
    var keys: [String]
    var initial: [String: [Double]]
    var curvature: [String: [Double]]
    var target: [String: [Double]]
    var noise: [[String: [Double]]]
    var optimizers: [Case]
    var schedules: [ScheduleSpec]
    var plateaus: [PlateauCase]

    static let shared: OptimizerReference = try! JSONDecoder().decode(
        OptimizerReference.self, from: optimizerFixture("optimizers_reference.json"))

    func set(_ values: [String: [Double]]) -> ParameterSet<Double> {
        ParameterSet(keys.map { (ParameterKey($0), Tensor(shape: shapes[$0]!, scalars: values[$0]!)) })
    }

    /// The gradient the reference uses at step `t` (0-based): (p − target)·curvature + noise_t.
    func gradient(at parameters: ParameterSet<Double>, step t: Int) -> ParameterSet<Double> {
        let target = set(self.target), curvature = set(self.curvature), noise = set(self.noise[t])
        var result = parameters
        for index in parameters.indices {
            result[index] = (parameters[index] - target[index]) * curvature[index] + noise[index]
        }
        return result
    }
}

/// Runs `optimizer` for `steps` steps from `parameters` with `gradient(parameters, step)`,
/// returning the parameters after each step.
func runTrajectory<O: Optimizer>(
    _ optimizer: O, from parameters: ParameterSet<O.Scalar>, steps: Int,
    gradient: (ParameterSet<O.Scalar>, Int) -> ParameterSet<O.Scalar>
) throws -> [ParameterSet<O.Scalar>] {
    var parameters = parameters
    var state = optimizer.makeState(for: parameters)
    var result: [ParameterSet<O.Scalar>] = []
    for step in 0..<steps {
        var updates = gradient(parameters, step)
        var context = TransformContext(step: step, parameters: parameters)
        try optimizer.apply(to: &updates, state: &state, context: &context)
        parameters += updates
        result.append(parameters)
    }
    return result
}

/// Largest relative difference max |a − b| / max(|b|, 1e-3) over all scalars.
func maxRelativeDifference(_ a: ParameterSet<Double>, _ b: ParameterSet<Double>) -> Double {
    var worst = 0.0
    for index in a.indices {
        for (x, y) in zip(a[index].scalars, b[index].scalars) {
            worst = max(worst, abs(x - y) / max(abs(y), 1e-3))
        }
    }
    return worst
}

/// A type-erased step function, so one table can hold every optimizer.
struct AnyOptimizerRun: Sendable {
    let name: String
    let run: @Sendable (ParameterSet<Double>, Int, (ParameterSet<Double>, Int) -> ParameterSet<Double>) throws -> [ParameterSet<Double>]

    init<O: Optimizer>(_ name: String, _ optimizer: O) where O.Scalar == Double {
        self.name = name
        run = { try runTrajectory(optimizer, from: $0, steps: $1, gradient: $2) }
    }
}

/// Builds the optimizer a reference case describes.
func makeOptimizer(_ name: String, _ o: OptimizerReference.Options) -> AnyOptimizerRun {
    switch name {
    case "SGD":
        return AnyOptimizerRun(name, SGD<Double>(
            learningRate: o.learningRate, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0,
            nesterov: o.nesterov ?? false, weightDecay: o.weightDecay ?? 0))
    case "Adam":
        return AnyOptimizerRun(name, Adam<Double>(
            learningRate: o.learningRate, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, epsilon: o.epsilon ?? 1e-8,
            weightDecay: o.weightDecay ?? 0, amsgrad: o.amsgrad ?? false))
    case "AdamW":
        return AnyOptimizerRun(name, AdamW<Double>(
            learningRate: o.learningRate, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, epsilon: o.epsilon ?? 1e-8,
            weightDecay: o.weightDecay ?? 1e-2, amsgrad: o.amsgrad ?? false))
    case "RMSprop":
        return AnyOptimizerRun(name, RMSprop<Double>(
            learningRate: o.learningRate, alpha: o.alpha ?? 0.99, epsilon: o.epsilon ?? 1e-8,
            weightDecay: o.weightDecay ?? 0, momentum: o.momentum ?? 0, centered: o.centered ?? false))
    case "Adagrad":
        return AnyOptimizerRun(name, Adagrad<Double>(
            learningRate: o.learningRate, learningRateDecay: o.learningRateDecay ?? 0, weightDecay: o.weightDecay ?? 0,
            initialAccumulatorValue: o.initialAccumulatorValue ?? 0, epsilon: o.epsilon ?? 1e-10))
    case "Lion":
        return AnyOptimizerRun(name, Lion<Double>(
            learningRate: o.learningRate, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.99, weightDecay: o.weightDecay ?? 0))
    default:
        fatalError("unknown optimizer \(name) in the reference")
    }
}

extension Tensor {
    /// The same values in another scalar type (test helper).
    func recast<Other: TensorScalar>(to _: Other.Type) -> Tensor<Other> {
        Tensor<Other>(shape: shape, scalars: scalars.map { Other($0) })
    }
}

extension ParameterSet {
    /// The same set in another scalar type (test helper).
    func recast<Other: TensorScalar>(to _: Other.Type) -> ParameterSet<Other> {
        ParameterSet<Other>(zip(keys, tensors).map { ($0, $1.recast(to: Other.self)) })
    }
}
