/// The transform that leaves updates unchanged: the unit of ``Chain`` composition.
///
/// `Chain(IdentityTransform(), t)` and `Chain(t, IdentityTransform())` give the same outputs as `t`.
public struct IdentityTransform<Scalar: TensorScalar>: GradientTransform {
    public typealias State = EmptyTransformState

    /// The identity transform.
    public init() {}

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {}
}
