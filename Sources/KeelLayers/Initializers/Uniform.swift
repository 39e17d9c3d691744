/// Draws every element from U(lower, upper); variance (upper − lower)² / 12.
public struct Uniform: Initializer {
    /// The lower bound.
    public var lower: Double
    /// The upper bound.
    public var upper: Double

    /// - Precondition: `lower ≤ upper`.
    public init(lower: Double = 0, upper: Double = 1) {
        precondition(lower <= upper, "Uniform: lower \(lower) exceeds upper \(upper)")
        self.lower = lower
        self.upper = upper
    }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        Tensor(randomUniform: shape, lowerBound: Scalar(lower), upperBound: Scalar(upper), using: &generator)
    }
}
