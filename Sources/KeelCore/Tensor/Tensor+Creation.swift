extension Tensor {
    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// A tensor with every element equal to `value`.
    public static func filled(_ shape: [Int], with value: Scalar) -> Tensor { Tensor(shape: shape, repeating: value) }

    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// The rank-1 tensor [start, start + step, …] of values below `end` (above it for a negative
    /// step), as NumPy's `arange`: ⌈(end − start)/step⌉ elements, each computed as start + i·step.
    public static func arange(from start: Scalar = 0, to end: Scalar, step: Scalar = 1) -> Tensor {
        precondition(step != 0 && step.isFinite, "Tensor.arange: step must be finite and non-zero, got \(step)")
        precondition(start.isFinite && end.isFinite, "Tensor.arange: bounds must be finite, got \(start) and \(end)")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [count]) { buffer in
            for index in 0..<count { buffer[index] = start + Scalar(index) * step }
        }
    }

    /// Samples uniform in [lowerBound, upperBound) from `generator`.
    ///
    /// Element i is lowerBound + (upperBound − lowerBound)·uᵢ with uᵢ the generator's i-th
    /// `nextUnitDouble()` (`Double`) or `nextUnitFloat()`
    /// (`Float`), in row-major order: the same seed gives the same tensor on every platform.
    public init<G: RandomNumberGenerator>(
        randomUniform shape: [Int], lowerBound: Scalar = 0, upperBound: Scalar = 1, using generator: inout G
    ) {
        precondition(lowerBound <= upperBound, "Tensor(randomUniform:): lowerBound \(lowerBound) exceeds upperBound \(upperBound)")
        let width = upperBound - lowerBound
        self.init(shape: shape) { buffer in
            if Scalar.self == Float.self {
                for index in buffer.indices { buffer[index] = lowerBound + width * Scalar(generator.nextUnitFloat()) }
            } else {
                for index in buffer.indices { buffer[index] = lowerBound + width * Scalar(generator.nextUnitDouble()) }
            }
        }
    }

    /// Samples normal with the given mean and standard deviation from `generator`.
    ///
    /// Standard normal pairs come from `nextStandardNormalPair()` (Marsaglia's
    /// polar method in `Double`), filling elements two at a time in row-major order, then are
    /// scaled and rounded to `Scalar`: the same seed gives the same tensor on every platform.
    public init<G: RandomNumberGenerator>(
        randomNormal shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1, using generator: inout G
    ) {
        precondition(standardDeviation >= 0, "Tensor(randomNormal:): standardDeviation \(standardDeviation) is negative")
        let mu = Double(mean), sigma = Double(standardDeviation)
        self.init(shape: shape) { buffer in
            var index = 0
            while index < buffer.count {
                let (first, second) = generator.nextStandardNormalPair()
                buffer[index] = Scalar(mu + sigma * first)
                if index + 1 < buffer.count { buffer[index + 1] = Scalar(mu + sigma * second) }
                index += 2
            }
        }
    }
}
