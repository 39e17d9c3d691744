/// Adagrad with learning-rate decay, coupled weight decay and an initial accumulator, with
/// PyTorch's semantics (`torch.optim.Adagrad`).
///
/// At the t-th update (t = 1, 2, …), with learning rate γ (``schedule``'s value at step t − 1 when
/// attached):
///
/// ```
/// g ← g + λ·θ                                  if λ ≠ 0
/// γ̃ = γ / (1 + (t − 1)·η)
/// S ← S + g²                                   (S starts at initialAccumulatorValue)
/// update = −γ̃ · g / (√S + ε)                   (θ ← θ + update)
/// ```
///
/// - Parameters:
///   - learningRate: γ (default 1e-2).
///   - learningRateDecay: η (PyTorch's `lr_decay`, default 0).
///   - weightDecay: λ, coupled L2 (default 0).
///   - initialAccumulatorValue: the starting value of S (default 0).
///   - epsilon: ε (default 1e-10).
///   - schedule: when given, replaces ``learningRate`` at every step (η still applies).
///
/// ## References
/// Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
/// Optimization", JMLR 2011.
public struct Adagrad<Scalar: TensorScalar>: Optimizer {
    /// The step count and the accumulated squared gradients.
    public struct State: Codable, Sendable, Equatable {
        /// Updates applied so far.
        public var step: Int
        /// S, the sum of squared gradients (`sum`).
        public var sum: ParameterSet<Scalar>
    }

    public var learningRate: Double
    /// η, the decay of the learning rate with the step count: γ/(1 + (t − 1)·η) (PyTorch's `lr_decay`).
    public let learningRateDecay: Double
    /// λ, the coupled L2 coefficient: λ·θ is added to the gradient first.
    public let weightDecay: Double
    /// The starting value of every element of the squared-gradient sum S (≥ 0).
    public let initialAccumulatorValue: Double
    /// ε, added after the square root so a zero sum cannot divide by zero.
    public let epsilon: Double
    /// When set, the learning rate at step t is `schedule.value(at: t)` (before the decay η).
    public let schedule: (any LearningRateSchedule)?

    /// An Adagrad optimizer; the parameters, defaults and formulas are in the type's documentation.
    ///
    /// - Precondition: every argument but `schedule` is ≥ 0.
    public init(
        learningRate: Double = 1e-2, learningRateDecay: Double = 0, weightDecay: Double = 0,
        initialAccumulatorValue: Double = 0, epsilon: Double = 1e-10, schedule: (any LearningRateSchedule)? = nil
    ) {
        precondition(learningRate >= 0, "Adagrad: learningRate \(learningRate) must be ≥ 0")
        precondition(learningRateDecay >= 0, "Adagrad: learningRateDecay \(learningRateDecay) must be ≥ 0")
        precondition(weightDecay >= 0, "Adagrad: weightDecay \(weightDecay) must be ≥ 0")
        precondition(initialAccumulatorValue >= 0, "Adagrad: initialAccumulatorValue \(initialAccumulatorValue) must be ≥ 0")
        precondition(epsilon >= 0, "Adagrad: epsilon \(epsilon) must be ≥ 0")
        self.learningRate = learningRate
        self.learningRateDecay = learningRateDecay
        self.weightDecay = weightDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
        self.schedule = schedule
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        State(step: 0, sum: parameters.map { Tensor.filled($0.shape, with: Scalar(initialAccumulatorValue)) })
    }

    /// The schedule's value at the optimizer's own step count (the base rate without a schedule), divided by the decay 1 + t·η.
    public func scheduledLearningRate(state: State, step: Int) -> Double? {
        rateInForce(learningRate, schedule, at: state.step) / (1 + Double(state.step) * learningRateDecay)
    }

    public func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws {
        requireSameStructure(updates, state.sum, "Adagrad")
        if weightDecay != 0 { requireParameters(context, matching: updates, "Adagrad") }
        let rate = Scalar(
            appliedLearningRate(
                "Adagrad", learningRate, schedule, at: state.step, dividedBy: 1 + Double(state.step) * learningRateDecay, in: &context))
        for index in updates.indices {
            let count = updates.tensors[index].scalarCount
            Kernels.adagradStep(
                count: count, update: updates.kernelOutput(at: index),
                parameter: parameterInput(context, at: index, needed: weightDecay != 0),
                sum: state.sum.kernelOutput(at: index), learningRate: rate, epsilon: Scalar(epsilon),
                weightDecay: Scalar(weightDecay))
        }
        state.step += 1
    }
}
