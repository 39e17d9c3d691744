/// Fills a tensor with zeros: the default for biases.
public struct Zeros: Initializer {
    /// The initializer (it has no configuration).
    public init() {}

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        .zeros(shape)
    }
}
