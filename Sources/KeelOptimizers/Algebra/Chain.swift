/// Two transforms applied one after the other: `first`, then `second` on `first`'s output.
///
/// The composition is statically typed, so `Chain<GlobalNormClipper<Float>, Scale<Float>>` is
/// specialized by the compiler like hand-written code: no existentials, no dynamic dispatch.
/// Longer pipelines nest (`Chain<Chain<A, B>, C>`); write them with the result builder:
///
/// ```swift
/// let pipeline = Chain {
///     ZeroNonFinite<Float>()
///     GlobalNormClipper<Float>(maxNorm: 1)
///     Scale<Float>(-0.01)
/// }
/// ```
///
/// The state is ``ChainState`` (`first`'s state, `second`'s state), `Codable` when both are.
/// If `first` throws, `second` does not run.
///
/// ## References
/// - Optax `chain` (google-deepmind/optax, `optax/transforms/_combining.py`).
public struct Chain<First: GradientTransform, Second: GradientTransform>: GradientTransform
where First.Scalar == Second.Scalar {
    public typealias Scalar = First.Scalar
    public typealias State = ChainState<First.State, Second.State>

    /// The transform applied first.
    public var first: First
    /// The transform applied to `first`'s output.
    public var second: Second

    /// `first`, then `second`.
    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    /// The chain written by a ``GradientPipelineBuilder`` block of two or more transforms, applied
    /// top to bottom.
    public init(@GradientPipelineBuilder _ content: () -> Chain<First, Second>) {
        self = content()
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        ChainState(first: first.makeState(for: parameters), second: second.makeState(for: parameters))
    }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        try first.apply(to: &updates, state: &state.first, context: &context)
        try second.apply(to: &updates, state: &state.second, context: &context)
    }

    /// The later stage's rate when it has one, else the earlier's: the last optimizer of the
    /// pipeline, whose report a trainer logs.
    public func scheduledLearningRate(state: State, step: Int) -> Double? {
        second.scheduledLearningRate(state: state.second, step: step) ?? first.scheduledLearningRate(state: state.first, step: step)
    }
}
