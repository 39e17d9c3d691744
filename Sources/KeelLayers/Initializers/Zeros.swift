/// Fills a tensor with zeros: the default for biases.
public struct Zeros: Initializer {
    public init() {}

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        .zeros(shape)
    }
}
