/// The hyperbolic tangent, elementwise: y = tanh(x), ∂y/∂x = 1 − y².
///
/// **Shapes.** Any; the output has the input's shape. No parameters.
public struct Tanh<Scalar: TensorScalar>: Layer, BufferContainer {
    /// The layer (it has no parameters).
    public init() {}

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {}
    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {}

    /// The cache is the output y.
    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Tensor<Scalar>) {
        let output = input.tanh()
        return (output, output)
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Tensor<Scalar>, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        outputGradient * (1 - cache.squared())
    }
}
