/// The logistic function, elementwise: y = σ(x) = 1/(1 + e⁻ˣ), ∂y/∂x = y(1 − y).
///
/// **Shapes.** Any; the output has the input's shape. No parameters.
public struct Sigmoid<Scalar: TensorScalar>: Layer, BufferContainer {
    /// The layer (it has no parameters).
    public init() {}

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {}
    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {}

    /// The cache is the output y.
    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Tensor<Scalar>) {
        let output = input.sigmoid()
        return (output, output)
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Tensor<Scalar>, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        outputGradient * cache * (1 - cache)
    }
}
