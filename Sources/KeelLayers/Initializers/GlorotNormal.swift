/// Glorot/Xavier normal: N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)).
///
/// ## References
/// - X. Glorot, Y. Bengio, "Understanding the difficulty of training deep feedforward neural
///   networks", AISTATS 2010.
public struct GlorotNormal: Initializer {
    /// The factor applied to the whole tensor.
    public var gain: Double

    /// An initializer with the given `gain`.
    public init(gain: Double = 1) { self.gain = gain }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        let (fanIn, fanOut) = Self.fans(of: shape)
        return Self.normalTensor(shape, standardDeviation: gain * (2 / Double(fanIn + fanOut)).squareRoot(), generator: &generator)
    }
}
