import KeelCore

/// Variance-scaling uniform initialization: U(−a, a) with a = √(3·scale/fanIn), so the variance
/// is scale/fanIn (scale 1 is LeCun uniform, scale 2 is He uniform).
///
/// - Parameters:
///   - scale: The variance times fanIn, > 0.
public struct ScaledUniform: Initializer {
    /// The variance times fanIn (> 0): 1 for LeCun, 2 for He.
    public var scale: Double

    /// An initializer with variance `scale`/fanIn (default 1, LeCun uniform).
    ///
    /// - Precondition: `scale` > 0.
    public init(scale: Double = 1) {
        precondition(scale > 0, "ScaledUniform: scale \(scale) must be > 0")
        self.scale = scale
    }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        let bound = Scalar((3 * scale / Double(Self.fans(of: shape).fanIn)).squareRoot())
        return Tensor(randomUniform: shape, lowerBound: -bound, upperBound: bound, using: &generator)
    }
}
