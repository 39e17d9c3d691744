import KeelConformance

// Deliberately broken optimizers: each breaks one OptimizerLaw.

/// Plain SGD written from scratch, the control: update = −γ·g.
struct ReferenceSGD: Optimizer {
    typealias Scalar = Float
    var learningRate: Double
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        updates.scale(by: Float(-context.applyLearningRate(learningRate, optimizer: "ReferenceSGD")))
    }
}

/// Breaks convergesOnParabola and convergesOnRosenbrock: ascends (+γ·g).
struct AscendingSGD: Optimizer {
    typealias Scalar = Float
    var learningRate: Double
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        updates.scale(by: Float(learningRate))
    }
}

/// Breaks zeroGradientIsFixedPoint: a constant drift −γ·(g + 10⁻³).
struct DriftingSGD: Optimizer {
    typealias Scalar = Float
    var learningRate: Double
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        updates = updates.map { ($0 + 1e-3) * Float(-learningRate) }
    }
}

/// Breaks firstStepLinearInLearningRate: −√γ·g.
struct SquareRootRateSGD: Optimizer {
    typealias Scalar = Float
    var learningRate: Double
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        updates.scale(by: Float(-learningRate.squareRoot()))
    }
}

/// Breaks matchesGoldenTrajectory: Adam that ignores β₂ (v = g², as if β₂ = 0).
struct AdamIgnoringBeta2: Optimizer {
    typealias Scalar = Float
    struct State: Codable, Sendable { var m: ParameterSet<Float>; var step = 0 }
    var learningRate: Double
    var beta1 = 0.9
    var beta2 = 0.999
    var epsilon = 1e-8
    func makeState(for parameters: ParameterSet<Float>) -> State { State(m: parameters.zerosLike()) }
    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        state.step += 1
        state.m.scale(by: Float(beta1))
        state.m.add(updates, scaledBy: Float(1 - beta1))
        let correction1 = 1 - Foundation.pow(beta1, Double(state.step))
        var result = ParameterSet<Float>()
        for index in updates.indices {
            let g = updates.tensors[index], m = state.m.tensors[index]
            let v = g * g  // β₂ ignored
            let denominator = v.squareRoot() + Float(epsilon)
            result.append(m / denominator * Float(-learningRate / correction1), for: updates.keys[index])
        }
        updates = result
    }
}

import Foundation

/// Reference Adam (PyTorch's formula) in Double, independent of KeelOptimizers: the source of the
/// golden trajectory.
func referenceAdamTrajectory(
    on problem: OptimizationProblem, learningRate: Double, steps: Int, beta1: Double = 0.9, beta2: Double = 0.999,
    epsilon: Double = 1e-8
) -> [[Double]] {
    var x = problem.initialPoint
    var m = Array(repeating: 0.0, count: x.count), v = m
    var points: [[Double]] = []
    for t in 1...steps {
        let g = problem.gradient(at: x)
        for i in x.indices {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            let denominator = (v[i] / (1 - pow(beta2, Double(t)))).squareRoot() + epsilon
            x[i] -= learningRate / (1 - pow(beta1, Double(t))) * m[i] / denominator
        }
        points.append(x)
    }
    return points
}
