/// The transform that leaves updates unchanged: the unit of ``Chain`` composition.
///
/// `Chain(Identity(), t)` and `Chain(t, Identity())` give the same outputs as `t`.
public struct Identity<Scalar: TensorScalar>: GradientTransform {
    public typealias State = EmptyTransformState

    /// The identity transform.
    public init() {}

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {}
}
