/// RMSprop with optional centering, momentum and coupled weight decay, with PyTorch's semantics
/// (`torch.optim.RMSprop`).
///
/// At each step, with learning rate γ (``schedule``'s value at the step count when attached):
///
/// ```
/// g ← g + λ·θ                                   if λ ≠ 0
/// s ← α·s + (1 − α)·g²
/// if centered:  ḡ ← α·ḡ + (1 − α)·g;  avg = √max(s − ḡ², 0) + ε (Keel clamps rounding below 0, and keeps s = +∞
///                 when a huge gradient overflowed it, so the update is 0 rather than NaN; PyTorch gives NaN)
/// else:         avg = √s + ε
/// if μ > 0:     b ← μ·b + g / avg;  update = −γ·b
/// else:         update = −γ·g / avg               (θ ← θ + update)
/// ```
///
/// - Parameters:
///   - learningRate: γ (default 1e-2).
///   - alpha: α, the smoothing constant (default 0.99).
///   - epsilon: ε (default 1e-8), added after the square root.
///   - weightDecay: λ, coupled L2 (default 0).
///   - momentum: μ (default 0).
///   - centered: normalize by an estimate of the variance instead of the second moment.
///   - schedule: when given, replaces ``learningRate`` at every step.
///
/// ## References
/// Hinton, "Neural Networks for Machine Learning", lecture 6e (2012); Graves, "Generating
/// Sequences With Recurrent Neural Networks", arXiv 1308.0850 (the centered form).
public struct RMSprop<Scalar: TensorScalar>: Optimizer {
    /// The step count, the running averages and the momentum buffer.
    public struct State: Codable, Sendable, Equatable {
        /// Updates applied so far.
        public var step: Int
        /// The running average of g² (`square_avg`).
        public var squareAverage: ParameterSet<Scalar>
        /// The running average of g (`grad_avg`) when centered, else `nil`.
        public var averageGradient: ParameterSet<Scalar>?
        /// The momentum buffer when momentum > 0, else `nil`.
        public var momentumBuffer: ParameterSet<Scalar>?
    }

    public var learningRate: Double
    /// α, the smoothing constant of the running averages (≥ 0; PyTorch's default 0.99).
    public let alpha: Double
    /// ε, added after the square root so a zero average cannot divide by zero.
    public let epsilon: Double
    /// λ, the coupled L2 coefficient: λ·θ is added to the gradient first.
    public let weightDecay: Double
    /// μ, the momentum of the normalized step (≥ 0; 0 keeps no buffer).
    public let momentum: Double
    /// Whether to normalize by the variance estimate s − ḡ² rather than the second moment s.
    public let centered: Bool
    /// When set, the learning rate at step t is `schedule.value(at: t)`.
    public let schedule: (any LearningRateSchedule)?

    /// An RMSprop optimizer; the parameters, defaults and formulas are in the type's documentation.
    ///
    /// - Precondition: `learningRate`, `alpha`, `epsilon`, `weightDecay` and `momentum` ≥ 0.
    public init(
        learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8, weightDecay: Double = 0,
        momentum: Double = 0, centered: Bool = false, schedule: (any LearningRateSchedule)? = nil
    ) {
        precondition(learningRate >= 0, "RMSprop: learningRate \(learningRate) must be ≥ 0")
        precondition(alpha >= 0, "RMSprop: alpha \(alpha) must be ≥ 0")
        precondition(epsilon >= 0, "RMSprop: epsilon \(epsilon) must be ≥ 0")
        precondition(weightDecay >= 0, "RMSprop: weightDecay \(weightDecay) must be ≥ 0")
        precondition(momentum >= 0, "RMSprop: momentum \(momentum) must be ≥ 0")
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        self.schedule = schedule
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        let zeros = parameters.zerosLike()
        return State(
            step: 0, squareAverage: zeros, averageGradient: centered ? zeros : nil,
            momentumBuffer: momentum > 0 ? zeros : nil)
    }

    /// The schedule's value at the optimizer's own step count (the base rate without a schedule).
    public func scheduledLearningRate(state: State, step: Int) -> Double? {
        rateInForce(learningRate, schedule, at: state.step)
    }

    public func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws {
        requireSameStructure(updates, state.squareAverage, "RMSprop")
        if weightDecay != 0 { requireParameters(context, matching: updates, "RMSprop") }
        let rate = Scalar(appliedLearningRate("RMSprop", learningRate, schedule, at: state.step, in: &context))
        for index in updates.indices {
            let count = updates.tensors[index].scalarCount
            Kernels.rmspropStep(
                count: count, update: updates.kernelOutput(at: index),
                parameter: parameterInput(context, at: index, needed: weightDecay != 0),
                squareAverage: state.squareAverage.kernelOutput(at: index),
                averageGradient: state.averageGradient.kernelOutput(at: index),
                momentumBuffer: state.momentumBuffer.kernelOutput(at: index), learningRate: rate,
                alpha: Scalar(alpha), epsilon: Scalar(epsilon), weightDecay: Scalar(weightDecay), momentum: Scalar(momentum))
        }
        state.step += 1
    }
}
