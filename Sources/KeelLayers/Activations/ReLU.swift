/// The rectifier, elementwise: y = max(x, 0); ∂y/∂x = 1 for x > 0, else 0 (0 at x = 0, as
/// PyTorch).
///
/// **Shapes.** Any; the output has the input's shape. No parameters.
public struct ReLU<Scalar: TensorScalar>: Layer, BufferContainer {
    /// The layer (it has no parameters).
    public init() {}

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {}
    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {}

    /// The cache is the input x.
    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Tensor<Scalar>) {
        (input.relu(), input)
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Tensor<Scalar>, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        outputGradient.zipScalars(cache, operation: "ReLU.backward", float: { $1 > 0 ? $0 : 0 }, double: { $1 > 0 ? $0 : 0 })
    }
}
