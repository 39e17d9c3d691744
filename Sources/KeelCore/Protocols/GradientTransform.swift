/// One stage of the gradient pipeline: clipping, weight decay, non-finite guards, accumulation,
/// masking and optimizers are all transforms, so *clip → decay → Adam* is one chain.
///
/// As in Optax, configuration is immutable and state travels explicitly: ``makeState(for:)``
/// creates the state for a parameter set, and ``apply(to:state:context:)`` rewrites the incoming
/// gradients (or updates) in place and advances the state **exactly once**. The state is `Codable`
/// so checkpoints can store it and a resumed run continues identically.
///
/// Conventions:
/// - `updates` enters as the gradients (or the previous stage's output) and leaves as this
///   stage's output; an optimizer's output is the step to **add** to the parameters
///   (−learningRate·direction), as in Optax.
/// - Keys, order and shapes are preserved.
/// - A transform may throw (a clipper configured to refuse a non-finite norm, say); the error
///   names the parameter.
/// - Every loop over elements runs in `TensorScalar` kernels, never in generic per-element code.
public protocol GradientTransform<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar
    /// Everything the transform remembers between steps.
    associatedtype State: Codable & Sendable

    /// The state before the first step, for parameters shaped like `parameters`.
    func makeState(for parameters: ParameterSet<Scalar>) -> State

    /// Rewrites `updates` in place and advances `state` by one step.
    func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws

    /// The learning rate the next ``apply(to:state:context:)`` (with `context.step == step` and a
    /// multiplier of 1) will use, or `nil` when this transform applies none.
    ///
    /// A trainer reads it before the step, so that its monitors, its log and its report see the
    /// rate the update is about to apply: schedule value (or base rate) × the trainer's
    /// ``TransformContext/learningRateMultiplier``. Optimizers answer from their schedule and
    /// their state's step count; wrappers forward to the transform they wrap; a pipeline answers
    /// with its last optimizer (the one whose report a trainer logs). The default is `nil`;
    /// ``Optimizer``'s default is its base ``Optimizer/learningRate``.
    func scheduledLearningRate(state: State, step: Int) -> Double?
}

extension GradientTransform {
    /// `nil`: a transform without a learning rate (clippers, weight decay, guards).
    public func scheduledLearningRate(state: State, step: Int) -> Double? { nil }
}

/// What a transform may read about the current step, and where it leaves reports.
public struct TransformContext<Scalar: TensorScalar>: Sendable {
    /// The number of updates applied before this one (0 on the first step).
    public var step: Int
    /// The parameters the updates will be applied to (weight decay and AGC read them).
    public var parameters: ParameterSet<Scalar>
    /// Reports of what the transforms of this step did, in pipeline order: a clipper appends a
    /// ``TransformReport/clip(_:)`` whether or not it fired, an optimizer a
    /// ``TransformReport/optimizer(_:)`` with the learning rate it applied.
    public var reports: [TransformReport]
    /// The one factor that a trainer's policies put on the learning rate (monitor verdicts,
    /// reduce-on-plateau, rollback backoff), 1 when none has acted. An optimizer multiplies its
    /// scheduled rate by it; ``applyLearningRate(_:optimizer:)`` does that and reports the result.
    public var learningRateMultiplier: Double

    /// The context of update number `step` (0-based) for `parameters`, with no reports yet by
    /// default and a multiplier of 1.
    public init(step: Int, parameters: ParameterSet<Scalar>, reports: [TransformReport] = [], learningRateMultiplier: Double = 1) {
        self.step = step
        self.parameters = parameters
        self.reports = reports
        self.learningRateMultiplier = learningRateMultiplier
    }

    /// The learning rate an optimizer applies this step: `scheduled` (its schedule's value, after
    /// its own decay) × ``learningRateMultiplier``, recorded as an ``OptimizerReport`` for
    /// `optimizer`. Every optimizer, built-in or third-party, takes its rate through this call,
    /// so the trainer's policies reach it and the rate it logs is the rate applied; a pipeline
    /// whose transforms report no rate has its updates scaled by the multiplier instead.
    public mutating func applyLearningRate(_ scheduled: Double, optimizer: String) -> Double {
        let rate = scheduled * learningRateMultiplier
        reports.append(.optimizer(OptimizerReport(transform: optimizer, learningRate: rate)))
        return rate
    }
}

/// A gradient transform that turns gradients into parameter updates and owns a learning rate.
///
/// Its output is the step to add to the parameters: for SGD, −learningRate·g.
///
/// **The learning rate has one owner.** The rate of a step is the optimizer's schedule value (its
/// base ``learningRate`` without one) × the trainer's ``TransformContext/learningRateMultiplier``;
/// an optimizer takes it through ``TransformContext/applyLearningRate(_:optimizer:)`` and
/// predicts it in ``GradientTransform/scheduledLearningRate(state:step:)``.
public protocol Optimizer<Scalar>: GradientTransform {
    /// The base learning rate (a schedule, when one is attached, scales or replaces it per step).
    var learningRate: Double { get set }
}

extension Optimizer {
    /// The base ``learningRate``: right for an optimizer without a schedule or decay of its own.
    public func scheduledLearningRate(state: State, step: Int) -> Double? { learningRate }
}
