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
    /// Reports of what the transforms of this step did, in pipeline order: a clipper appends a
    /// ``TransformReport/clip(_:)`` whether or not it fired, an optimizer a
    /// ``TransformReport/optimizer(_:)`` with the learning rate it applied.
    public var reports: [TransformReport]

    /// The context of update number `step` (0-based) for `parameters`, with no reports yet by default.
    public init(step: Int, parameters: ParameterSet<Scalar>, reports: [TransformReport] = []) {
        self.step = step
        self.parameters = parameters
        self.reports = reports
    }
}

/// A gradient transform that turns gradients into parameter updates and owns a learning rate.
///
/// Its output is the step to add to the parameters: for SGD, −learningRate·g.
public protocol Optimizer<Scalar>: GradientTransform {
    /// The base learning rate (a schedule, when one is attached, scales or replaces it per step).
    var learningRate: Double { get set }
}
