/// Decoupled weight decay (Loshchilov & Hutter): subtracts γ·λ·θ from the **update** of every
/// masked parameter, update ← update − γ·λ·θ, reading θ from `context.parameters`.
///
/// Place it **after** the optimizer (*Adam → DecoupledWeightDecay*), so the decay is not rescaled
/// by the optimizer's preconditioner; with the same γ and λ, *Adam → DecoupledWeightDecay* is
/// ``AdamW``. γ is ``learningRate`` or, when attached, `schedule.value(at: t)` with t the number of
/// steps this transform has applied (give it the optimizer's schedule so both move together),
/// times the trainer's `TransformContext.learningRateMultiplier`, as the optimizer's rate is.
///
/// - Parameters:
///   - rate: λ ≥ 0.
///   - learningRate: γ, the optimizer's learning rate.
///   - schedule: when given, replaces ``learningRate`` at every step.
///   - mask: which parameters decay (default all).
///
/// ## References
/// Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.
public struct DecoupledWeightDecay<Scalar: TensorScalar>: GradientTransform {
    /// The number of steps applied (for the schedule).
    public struct State: Codable, Sendable, Hashable {
        /// The number of steps this transform has applied, the t of `schedule.value(at: t)`.
        public var step: Int
    }

    /// λ ≥ 0, the decay rate; each step removes γ·λ·θ.
    public let rate: Double
    /// γ, the learning rate that scales the decay when no ``schedule`` is attached.
    public var learningRate: Double
    /// When set, γ at step t is `schedule.value(at: t)`; give it the optimizer's schedule.
    public let schedule: (any LearningRateSchedule)?
    /// Which parameters decay; the others' updates pass through unchanged.
    public let mask: DecayMask

    /// A decay of rate `rate` scaled by `learningRate` (or `schedule`), on the parameters `mask`
    /// selects (default all).
    ///
    /// - Precondition: `rate` ≥ 0 and `learningRate` ≥ 0.
    public init(rate: Double, learningRate: Double, schedule: (any LearningRateSchedule)? = nil, mask: DecayMask = .all) {
        precondition(rate >= 0, "DecoupledWeightDecay: rate \(rate) must be ≥ 0")
        precondition(learningRate >= 0, "DecoupledWeightDecay: learningRate \(learningRate) must be ≥ 0")
        self.rate = rate
        self.learningRate = learningRate
        self.schedule = schedule
        self.mask = mask
    }

    /// A decay restricted to the keys `includes` accepts.
    public init(
        rate: Double, learningRate: Double, schedule: (any LearningRateSchedule)? = nil,
        mask includes: @escaping @Sendable (ParameterKey) -> Bool
    ) {
        self.init(rate: rate, learningRate: learningRate, schedule: schedule, mask: DecayMask(includes))
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State(step: 0) }

    public func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws {
        defer { state.step += 1 }
        let factor = rateInForce(learningRate, schedule, at: state.step) * context.learningRateMultiplier * rate
        guard factor != 0 else { return }
        requireParameters(context, matching: updates, "DecoupledWeightDecay")
        for index in updates.indices where mask.includes(updates.keys[index], shape: updates.tensors[index].shape) {
            updates.withTensor(at: index) { $0.addScaled(context.parameters.tensors[index], by: Scalar(-factor)) }
        }
    }
}
