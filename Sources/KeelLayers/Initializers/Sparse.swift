/// Sparse initialization: N(0, σ²) entries with a fixed number of zeros in every column, as
/// PyTorch's `sparse_`.
///
/// For a weight `[rows, columns]`, each column gets ⌈sparsity·rows⌉ zeros at rows chosen
/// uniformly without replacement, the remaining rows keep their normal draws; so every unit of
/// the input side connects to the same number of outputs. Martens proposed a fixed count of
/// non-zero connections per unit (15) for deep and recurrent nets trained with Hessian-free
/// optimization; choose `sparsity = 1 − 15/rows` for that.
///
/// ## References
/// - J. Martens, "Deep learning via Hessian-free optimization", ICML 2010.
/// - I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of initialization and
///   momentum in deep learning", ICML 2013.
public struct Sparse: Initializer {
    /// The fraction of zeros in each column.
    public var sparsity: Double
    /// The standard deviation of the (untruncated) normal distribution.
    public var standardDeviation: Double

    /// - Precondition: `0 ≤ sparsity ≤ 1`, `standardDeviation ≥ 0`.
    public init(sparsity: Double, standardDeviation: Double = 0.01) {
        precondition((0...1).contains(sparsity), "Sparse: sparsity \(sparsity) must lie in [0, 1]")
        precondition(standardDeviation >= 0, "Sparse: standardDeviation \(standardDeviation) is negative")
        self.sparsity = sparsity
        self.standardDeviation = standardDeviation
    }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        precondition(shape.count == 2, "Sparse: needs a matrix shape [rows, columns], got \(shape)")
        let rows = shape[0], columns = shape[1]
        let zerosPerColumn = Int((sparsity * Double(rows)).rounded(.up))
        var result = Tensor<Scalar>(randomNormal: shape, mean: 0, standardDeviation: Scalar(standardDeviation), using: &generator)
        result.withUnsafeMutableBufferPointer { buffer in
            var order = Array(0..<rows)
            for column in 0..<columns {
                // Partial Fisher–Yates: the first zerosPerColumn entries become a uniform sample.
                for position in 0..<zerosPerColumn {
                    let pick = position + min(rows - position - 1, Int(generator.nextUnitDouble() * Double(rows - position)))
                    order.swapAt(position, pick)
                    buffer[order[position] * columns + column] = 0
                }
            }
        }
        return result
    }
}
