/// Replaces NaN and ±∞ in the updates by zero and reports how many it replaced.
///
/// One read pass counts non-finite values with a kernel; only tensors that hold some are
/// rewritten. Place it before a clipper so one bad element does not turn the global norm, and
/// with it every update, into NaN.
///
/// ## References
/// - Optax `zero_nans` (`optax/_src/transform.py`), which zeroes NaN only; this also zeroes ±∞.
public struct ZeroNonFinite<Scalar: TensorScalar>: GradientTransform {
    public typealias State = EmptyTransformState

    /// The transform.
    public init() {}

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        let first = updates.firstNonFiniteKey
        let zeroed = first == nil ? 0 : updates.zeroNonFiniteElements()
        context.reports.append(
            .note(TransformNote(
                transform: "ZeroNonFinite", fired: zeroed > 0,
                detail: first.map { "\(zeroed) non-finite values zeroed, first in \($0)" })))
    }
}
