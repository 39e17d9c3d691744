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
}

/// What a transform may read about the current step, and where it leaves reports.
public struct TransformContext<Scalar: TensorScalar>: Sendable {
    /// The number of updates applied before this one (0 on the first step).
    public var step: Int
    /// The parameters the updates will be applied to (weight decay and AGC read them).
    public var parameters: ParameterSet<Scalar>
    /// Reports of what the transforms of this step did, in pipeline order (a clipper appends a
    /// ``TransformReport`` whether or not it fired).
    public var reports: [TransformReport]

    /// The context of update number `step` (0-based) for `parameters`, with no reports yet by default.
    public init(step: Int, parameters: ParameterSet<Scalar>, reports: [TransformReport] = []) {
        self.step = step
        self.parameters = parameters
        self.reports = reports
    }
}

/// What one transform did in one step: for clippers, the norms before and after, the scaling
/// coefficient, the threshold, and whether the rule fired.
public struct TransformReport: Sendable, Codable, Hashable {
    /// The transform's name, e.g. `GlobalNormClipper`.
    public var transform: String
    /// Whether the transform changed anything (a clipper that clipped, a guard that skipped).
    public var fired: Bool
    /// The measured norm before the transform, if it measures one.
    public var normBefore: Double?
    /// The norm after the transform, if it measures one.
    public var normAfter: Double?
    /// The factor the updates were multiplied by (1 when nothing was clipped), if uniform.
    public var coefficient: Double?
    /// The threshold in force this step, if the rule has one.
    public var threshold: Double?
    /// Free-form detail, e.g. the first non-finite parameter.
    public var detail: String?
    /// The learning rate an optimizer applied this step (its schedule's value), if the transform
    /// is an optimizer: what a trainer logs as the step's learning rate.
    public var learningRate: Double?

    /// A report of what `transform` did this step; the measurements it does not take stay `nil`.
    public init(
        transform: String, fired: Bool, normBefore: Double? = nil, normAfter: Double? = nil,
        coefficient: Double? = nil, threshold: Double? = nil, detail: String? = nil, learningRate: Double? = nil
    ) {
        self.transform = transform
        self.fired = fired
        self.normBefore = normBefore
        self.normAfter = normAfter
        self.coefficient = coefficient
        self.threshold = threshold
        self.detail = detail
        self.learningRate = learningRate
    }
}

/// A gradient transform that turns gradients into parameter updates and owns a learning rate.
///
/// Its output is the step to add to the parameters: for SGD, −learningRate·g.
public protocol Optimizer<Scalar>: GradientTransform {
    /// The base learning rate (a schedule, when one is attached, scales or replaces it per step).
    var learningRate: Double { get set }
}
