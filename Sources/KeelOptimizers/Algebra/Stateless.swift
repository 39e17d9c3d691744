/// A transform without state, written as a closure: the quickest way to add a custom stage.
///
/// The closure receives the updates to rewrite in place and the step's context, and may throw.
/// It must keep keys, order and shapes, and should use whole-tensor operations (DESIGN.md §2).
///
/// ```swift
/// let negate = Stateless<Float>(name: "Negate") { updates, _ in updates.scale(by: -1) }
/// ```
///
/// ## References
/// - Optax `stateless` (`optax/transforms/_combining.py` and `optax/_src/base.py`).
public struct Stateless<Scalar: TensorScalar>: GradientTransform {
    public typealias State = EmptyTransformState

    /// A name for reports and debugging.
    public let name: String
    private let body: @Sendable (inout ParameterSet<Scalar>, inout TransformContext<Scalar>) throws -> Void

    /// A transform that calls `body` once per step.
    ///
    /// - Parameters:
    ///   - name: A name for reports and debugging.
    ///   - body: Rewrites the updates in place; it may read and extend the context.
    public init(
        name: String = "Stateless",
        _ body: @escaping @Sendable (inout ParameterSet<Scalar>, inout TransformContext<Scalar>) throws -> Void
    ) {
        self.name = name
        self.body = body
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        try body(&updates, &context)
    }
}
