/// LeCun uniform: U(−a, a) with a = √(3 / fanIn), variance 1/fanIn (the SELU recommendation).
///
/// ## References
/// - Y. LeCun et al., "Efficient BackProp", Neural Networks: Tricks of the Trade, 1998.
public struct LeCunUniform: Initializer {
    /// The initializer (it has no configuration).
    public init() {}

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        Self.uniformTensor(shape, bound: (3 / Double(Self.fans(of: shape).fanIn)).squareRoot(), generator: &generator)
    }
}
