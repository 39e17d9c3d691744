/// Fills a tensor with ones: the default for normalization scales (γ).
public struct Ones: Initializer {
    /// The initializer (it has no configuration).
    public init() {}

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        .ones(shape)
    }
}
