/// Glorot/Xavier uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)), variance
/// gain²·2 / (fanIn + fanOut). Keel's default for input weights.
///
/// ## References
/// - X. Glorot, Y. Bengio, "Understanding the difficulty of training deep feedforward neural
///   networks", AISTATS 2010.
public struct GlorotUniform: Initializer {
    /// The factor applied to the whole tensor.
    public var gain: Double

    /// An initializer with the given `gain`.
    public init(gain: Double = 1) { self.gain = gain }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        let (fanIn, fanOut) = Self.fans(of: shape)
        return Self.uniformTensor(shape, bound: gain * (6 / Double(fanIn + fanOut)).squareRoot(), generator: &generator)
    }
}
