/// Applies `inner` to the parameters a predicate selects; the others pass through unchanged, bit
/// for bit.
///
/// `inner` sees only the selected updates, and a context whose `parameters` hold only the
/// selected parameters, so its state has moments for those alone. The usual use is weight decay
/// without biases and normalization scales:
///
/// ```swift
/// let decayWeightsOnly = Masked(weightDecay) { !$0.name.hasPrefix("bias") }
/// ```
///
/// The split moves tensors (no copy of their elements): the selected tensors are owned uniquely
/// while `inner` rewrites them.
///
/// ## References
/// - Optax `masked` (`optax/transforms/_masking.py`).
public struct Masked<Inner: GradientTransform>: GradientTransform {
    public typealias Scalar = Inner.Scalar
    public typealias State = Inner.State

    /// The transform applied to the selected parameters.
    public var inner: Inner
    /// Whether a parameter is selected.
    public let isSelected: @Sendable (ParameterKey) -> Bool

    /// `inner` restricted to the parameters `isSelected` accepts.
    public init(_ inner: Inner, where isSelected: @escaping @Sendable (ParameterKey) -> Bool) {
        self.inner = inner
        self.isSelected = isSelected
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        inner.makeState(for: parameters.filter(isSelected))
    }

    /// The inner transform's rate.
    public func scheduledLearningRate(state: State, step: Int) -> Double? {
        inner.scheduledLearningRate(state: state, step: step)
    }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        let keys = updates.keys
        var (selected, rest) = updates.split(selecting: keys.map(isSelected))
        let allParameters = context.parameters
        context.parameters = allParameters.filter(isSelected)
        defer {
            context.parameters = allParameters
            updates = ParameterSet.merging([selected, rest], order: keys)
        }
        try inner.apply(to: &selected, state: &state, context: &context)
    }
}
