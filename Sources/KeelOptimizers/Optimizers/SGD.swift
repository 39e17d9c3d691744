/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and coupled weight
/// decay, with PyTorch's semantics (`torch.optim.SGD`).
///
/// At each step t, with learning rate γ (``schedule``'s value at the optimizer's step count when a
/// schedule is attached, else ``learningRate``), momentum μ, dampening τ and weight decay λ:
///
/// ```
/// g ← g + λ·θ                                  if λ ≠ 0
/// if μ ≠ 0:
///     b ← g                                    on the first step (no dampening)
///     b ← μ·b + (1 − τ)·g                      afterwards
///     g ← g + μ·b  if nesterov, else  g ← b
/// update = −γ·g                                (θ ← θ + update)
/// ```
///
/// The update of each tensor is one fused pass over gradient, buffer and (with decay) parameters.
///
/// - Parameters:
///   - learningRate: γ (PyTorch's default 1e-3).
///   - momentum: μ ≥ 0; 0 keeps no buffer.
///   - dampening: τ, applied from the second step on.
///   - nesterov: Nesterov momentum; needs μ > 0 and τ = 0, as in PyTorch.
///   - weightDecay: λ, coupled L2 (added to the gradient).
///   - schedule: when given, replaces ``learningRate`` at every step.
///
/// ## References
/// Sutskever, Martens, Dahl, Hinton, "On the importance of initialization and momentum in deep
/// learning", ICML 2013.
public struct SGD<Scalar: TensorScalar>: Optimizer {
    /// The step count and the momentum buffer (`nil` when momentum is 0).
    public struct State: Codable, Sendable, Equatable {
        /// Updates applied so far.
        public var step: Int
        /// The momentum buffer b.
        public var momentumBuffer: ParameterSet<Scalar>?
    }

    public var learningRate: Double
    /// μ, the momentum coefficient (≥ 0; 0 keeps no buffer).
    public let momentum: Double
    /// τ, the fraction of the gradient held back from the momentum buffer from the second step on.
    public let dampening: Double
    /// Whether to step along g + μ·b (Nesterov) rather than b.
    public let nesterov: Bool
    /// λ, the coupled L2 coefficient: λ·θ is added to the gradient first.
    public let weightDecay: Double
    /// When set, the learning rate at step t is `schedule.value(at: t)`.
    public let schedule: (any LearningRateSchedule)?

    /// An SGD optimizer; the parameters, defaults and formulas are in the type's documentation.
    ///
    /// - Precondition: `learningRate`, `momentum` and `weightDecay` ≥ 0; `nesterov` needs
    ///   `momentum` > 0 and `dampening` 0.
    public init(
        learningRate: Double = 1e-3, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
        weightDecay: Double = 0, schedule: (any LearningRateSchedule)? = nil
    ) {
        precondition(learningRate >= 0, "SGD: learningRate \(learningRate) must be ≥ 0")
        precondition(momentum >= 0, "SGD: momentum \(momentum) must be ≥ 0")
        precondition(weightDecay >= 0, "SGD: weightDecay \(weightDecay) must be ≥ 0")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and dampening 0")
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.schedule = schedule
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        State(step: 0, momentumBuffer: momentum != 0 ? parameters.zerosLike() : nil)
    }

    /// The schedule's value at the optimizer's own step count (the base rate without a schedule).
    public func scheduledLearningRate(state: State, step: Int) -> Double? {
        rateInForce(learningRate, schedule, at: state.step)
    }

    public func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws {
        if let buffer = state.momentumBuffer { requireSameStructure(updates, buffer, "SGD") }
        if weightDecay != 0 { requireParameters(context, matching: updates, "SGD") }
        let rate = Scalar(appliedLearningRate("SGD", learningRate, schedule, at: state.step, in: &context))
        let isFirstStep = state.step == 0
        for index in updates.indices {
            let count = updates.tensors[index].scalarCount
            Kernels.sgdStep(
                count: count, update: updates.kernelOutput(at: index),
                parameter: parameterInput(context, at: index, needed: weightDecay != 0),
                momentumBuffer: state.momentumBuffer.kernelOutput(at: index), learningRate: rate,
                momentum: Scalar(momentum), dampening: Scalar(dampening), weightDecay: Scalar(weightDecay),
                nesterov: nesterov, isFirstStep: isFirstStep)
        }
        state.step += 1
    }
}
