/// LeCun normal: N(0, 1/fanIn).
///
/// ## References
/// - Y. LeCun et al., "Efficient BackProp", Neural Networks: Tricks of the Trade, 1998.
public struct LeCunNormal: Initializer {
    /// The initializer (it has no configuration).
    public init() {}

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        Self.normalTensor(shape, standardDeviation: (1 / Double(Self.fans(of: shape).fanIn)).squareRoot(), generator: &generator)
    }
}
