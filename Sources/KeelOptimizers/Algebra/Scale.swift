/// Multiplies every update by a constant factor: u ← factor·u.
///
/// With a negative learning rate it turns a direction into a step (`Scale(-learningRate)` after a
/// clipper gives plain SGD). A factor of exactly 1 leaves the updates untouched (no pass over
/// memory).
///
/// ## References
/// - Optax `scale` (`optax/_src/transform.py`).
public struct Scale<Scalar: TensorScalar>: GradientTransform {
    public typealias State = EmptyTransformState

    /// The factor every update is multiplied by.
    public var factor: Double

    /// A transform multiplying every update by `factor`.
    public init(_ factor: Double) {
        self.factor = factor
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        if factor != 1 { updates.scale(by: Scalar(factor)) }
    }
}
