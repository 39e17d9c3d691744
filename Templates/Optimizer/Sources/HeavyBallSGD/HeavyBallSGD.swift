import KeelCore

/// SGD with heavy-ball momentum: v ← μ·v + g, update = −γ·v (θ ← θ + update).
///
/// - Parameters:
///   - learningRate: γ ≥ 0.
///   - momentum: μ in [0, 1).
///
/// ## References
/// Polyak, "Some methods of speeding up the convergence of iteration methods", 1964.
public struct HeavyBallSGD<Scalar: TensorScalar>: Optimizer {
    /// The velocity of every parameter: everything the optimizer remembers, `Codable` so a
    /// checkpoint resumes identically.
    public struct State: Codable, Sendable, Equatable {
        /// v, the running sum of past gradients decayed by μ, shaped like the parameters.
        public var velocity: ParameterSet<Scalar>
    }

    public var learningRate: Double
    /// μ in [0, 1), the fraction of the velocity kept each step.
    public let momentum: Double

    /// An optimizer stepping by `learningRate` with `momentum` (default 0.9).
    ///
    /// - Precondition: `learningRate` ≥ 0 and `momentum` in [0, 1).
    public init(learningRate: Double, momentum: Double = 0.9) {
        precondition(learningRate >= 0, "HeavyBallSGD: learningRate \(learningRate) must be ≥ 0")
        precondition((0..<1).contains(momentum), "HeavyBallSGD: momentum \(momentum) must be in [0, 1)")
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        State(velocity: parameters.zerosLike())
    }

    public func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws {
        // The rate this step: the base rate × the trainer's multiplier (plateau, rollback backoff),
        // recorded as the report a trainer logs (and the suite checks).
        let rate = context.applyLearningRate(learningRate, optimizer: "HeavyBallSGD")
        state.velocity.scale(by: Scalar(momentum))
        state.velocity.add(updates)
        updates = state.velocity.scaled(by: Scalar(-rate))
    }
}
