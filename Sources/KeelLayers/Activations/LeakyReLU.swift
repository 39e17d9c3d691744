/// The leaky rectifier, elementwise: y = x for x > 0, s·x otherwise; ∂y/∂x = 1 or s.
///
/// **Shapes.** Any; the output has the input's shape. No parameters.
public struct LeakyReLU<Scalar: TensorScalar>: Layer, BufferContainer {
    /// The slope s for negative inputs (PyTorch's default 0.01).
    public var negativeSlope: Scalar

    /// A leaky rectifier with slope `negativeSlope` for negative inputs.
    public init(negativeSlope: Scalar = 0.01) { self.negativeSlope = negativeSlope }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {}
    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {}

    /// The cache is the input x.
    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Tensor<Scalar>) {
        let floatSlope = Float(negativeSlope), doubleSlope = Double(negativeSlope)
        let output = input.mapScalars(float: { $0 > 0 ? $0 : floatSlope * $0 }, double: { $0 > 0 ? $0 : doubleSlope * $0 })
        return (output, input)
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Tensor<Scalar>, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        let floatSlope = Float(negativeSlope), doubleSlope = Double(negativeSlope)
        return outputGradient.zipScalars(
            cache, operation: "LeakyReLU.backward",
            float: { $1 > 0 ? $0 : floatSlope * $0 }, double: { $1 > 0 ? $0 : doubleSlope * $0 })
    }
}
