/// Lion, the sign-momentum optimizer found by program search, with decoupled weight decay.
///
/// At each step, with learning rate γ (``schedule``'s value at the step count when attached):
///
/// ```
/// c = β₁·m + (1 − β₁)·g
/// update = −γ·sign(c) − γ·λ·θ                  (θ ← θ + update; sign(0) = 0)
/// m ← β₂·m + (1 − β₂)·g
/// ```
///
/// Every coordinate moves by exactly γ (plus decay), so Lion wants a learning rate 3–10× smaller
/// than AdamW's and a weight decay 3–10× larger.
///
/// - Parameters:
///   - learningRate: γ (default 1e-4).
///   - beta1: β₁, the interpolation for the update direction (default 0.9).
///   - beta2: β₂, the momentum decay (default 0.99).
///   - weightDecay: λ, decoupled (default 0).
///   - schedule: when given, replaces ``learningRate`` at every step.
///
/// ## References
/// Chen et al., "Symbolic Discovery of Optimization Algorithms", NeurIPS 2023 (arXiv 2302.06675).
public struct Lion<Scalar: TensorScalar>: Optimizer {
    /// The step count and the momentum m (`exp_avg`).
    public struct State: Codable, Sendable, Equatable {
        /// Updates applied so far.
        public var step: Int
        /// The momentum m.
        public var momentum: ParameterSet<Scalar>
    }

    public var learningRate: Double
    /// β₁, the interpolation between momentum and gradient that sets the update's sign, in [0, 1].
    public let beta1: Double
    /// β₂, the decay of the momentum m, in [0, 1].
    public let beta2: Double
    /// λ, the decoupled decay rate: parameters shrink by γ·λ·θ per step.
    public let weightDecay: Double
    /// When set, the learning rate at step t is `schedule.value(at: t)`.
    public let schedule: (any LearningRateSchedule)?

    /// A Lion optimizer; the parameters, defaults and formulas are in the type's documentation.
    ///
    /// - Precondition: `learningRate`, `weightDecay` ≥ 0 and `beta1`, `beta2` in [0, 1].
    public init(
        learningRate: Double = 1e-4, beta1: Double = 0.9, beta2: Double = 0.99, weightDecay: Double = 0,
        schedule: (any LearningRateSchedule)? = nil
    ) {
        precondition(learningRate >= 0, "Lion: learningRate \(learningRate) must be ≥ 0")
        precondition((0...1).contains(beta1), "Lion: beta1 \(beta1) must be in [0, 1]")
        precondition((0...1).contains(beta2), "Lion: beta2 \(beta2) must be in [0, 1]")
        precondition(weightDecay >= 0, "Lion: weightDecay \(weightDecay) must be ≥ 0")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.weightDecay = weightDecay
        self.schedule = schedule
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        State(step: 0, momentum: parameters.zerosLike())
    }

    /// The schedule's value at the optimizer's own step count (the base rate without a schedule).
    public func scheduledLearningRate(state: State, step: Int) -> Double? {
        rateInForce(learningRate, schedule, at: state.step)
    }

    public func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws {
        requireSameStructure(updates, state.momentum, "Lion")
        if weightDecay != 0 { requireParameters(context, matching: updates, "Lion") }
        let rate = Scalar(appliedLearningRate("Lion", learningRate, schedule, at: state.step, in: &context))
        for index in updates.indices {
            let count = updates.tensors[index].scalarCount
            Kernels.lionStep(
                count: count, update: updates.kernelOutput(at: index),
                parameter: parameterInput(context, at: index, needed: weightDecay != 0),
                momentum: state.momentum.kernelOutput(at: index), learningRate: rate, beta1: Scalar(beta1),
                beta2: Scalar(beta2), weightDecay: Scalar(weightDecay))
        }
        state.step += 1
    }
}
