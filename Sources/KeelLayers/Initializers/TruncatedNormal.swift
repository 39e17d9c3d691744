/// Draws every element from N(mean, standardDeviation²) conditioned on lying in [lower, upper], as
/// PyTorch's `trunc_normal_`.
///
/// The bounds are absolute values (not multiples of the standard deviation); when omitted they are
/// mean ± 2·standardDeviation. PyTorch samples by inverting the CDF; Keel samples the same
/// distribution by rejection (draw a normal, keep it when it lies inside the bounds), which is
/// exact and, for bounds of at least ±1σ, needs fewer than 1.5 draws per element on average.
///
/// For symmetric bounds ±kσ around the mean the variance is σ²·(1 − 2kφ(k) / (2Φ(k) − 1)), about
/// 0.7737σ² for k = 2.
public struct TruncatedNormal: Initializer {
    /// The mean of the (untruncated) normal distribution.
    public var mean: Double
    /// The standard deviation of the (untruncated) normal distribution.
    public var standardDeviation: Double
    /// The lower bound.
    public var lower: Double
    /// The upper bound.
    public var upper: Double

    /// - Precondition: `standardDeviation > 0` and `lower < upper`.
    public init(mean: Double = 0, standardDeviation: Double = 1, lower: Double? = nil, upper: Double? = nil) {
        precondition(standardDeviation > 0, "TruncatedNormal: standardDeviation \(standardDeviation) must be positive")
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.lower = lower ?? mean - 2 * standardDeviation
        self.upper = upper ?? mean + 2 * standardDeviation
        precondition(self.lower < self.upper, "TruncatedNormal: lower \(self.lower) must be below upper \(self.upper)")
    }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        Tensor(shape: shape) { buffer in
            var index = 0
            while index < buffer.count {
                let (first, second) = generator.nextStandardNormalPair()
                for draw in [first, second] where index < buffer.count {
                    let value = mean + standardDeviation * draw
                    if value >= lower && value <= upper {
                        buffer[index] = Scalar(value)
                        index += 1
                    }
                }
            }
        }
    }
}
