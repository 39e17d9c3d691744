/// Draws every element from N(mean, standardDeviation²).
public struct Normal: Initializer {
    /// The mean of the (untruncated) normal distribution.
    public var mean: Double
    /// The standard deviation of the (untruncated) normal distribution.
    public var standardDeviation: Double

    /// - Precondition: `standardDeviation ≥ 0`.
    public init(mean: Double = 0, standardDeviation: Double = 1) {
        precondition(standardDeviation >= 0, "Normal: standardDeviation \(standardDeviation) is negative")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        Tensor(randomNormal: shape, mean: Scalar(mean), standardDeviation: Scalar(standardDeviation), using: &generator)
    }
}
