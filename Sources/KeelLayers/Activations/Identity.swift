/// The identity: y = x, ∂L/∂x = ∂L/∂y. A placeholder where a layer slot needs no function.
///
/// **Shapes.** Any; the output is the input. No parameters.
public struct Identity<Scalar: TensorScalar>: Layer, BufferContainer {
    /// The layer (it has no parameters).
    public init() {}

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {}
    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {}

    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Void) {
        (input, ())
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Void, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        outputGradient
    }
}
