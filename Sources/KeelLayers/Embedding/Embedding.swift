/// A lookup table of learned vectors: output[…, :] = weight[index, :].
///
/// **Shapes.** Input: any shape of indices stored as scalars (whole numbers), e.g.
/// `[time, batch]`; output: the input's shape followed by `dimension`, e.g.
/// `[time, batch, dimension]`. `weight` is `[vocabularySize, dimension]`.
///
/// **Backward:** each output row's gradient is added to the weight row it came from
/// (scatter-add; repeated indices accumulate). Indices are not differentiable: the input
/// gradient is zeros.
///
/// Parameter key: `weight`. Default initialization N(0, 1), as PyTorch.
public struct Embedding<Scalar: TensorScalar>: Layer, BufferContainer {
    /// The table `[vocabularySize, dimension]`.
    public var weight: Tensor<Scalar>

    /// The number of rows (valid indices are 0 ..< vocabularySize).
    public var vocabularySize: Int { weight.shape[0] }
    /// The length of each vector.
    public var dimension: Int { weight.shape[1] }

    /// A layer with the given table `[vocabularySize, dimension]`.
    public init(weight: Tensor<Scalar>) {
        precondition(weight.rank == 2, "Embedding: weight must be [vocabularySize, dimension], got shape \(weight.shape)")
        self.weight = weight
    }

    /// A layer with a freshly initialized table.
    public init<G: RandomNumberGenerator>(
        vocabularySize: Int, dimension: Int, initializer: some Initializer = Normal(), generator: inout G
    ) {
        precondition(vocabularySize > 0 && dimension > 0, "Embedding: sizes must be positive, got vocabularySize \(vocabularySize), dimension \(dimension)")
        self.init(weight: initializer.makeTensor([vocabularySize, dimension], generator: &generator))
    }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("weight", weight)
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("weight", &weight)
    }

    /// The validated row indices and the input shape.
    public struct Cache: Sendable {
        var indices: [Int]
        var inputShape: [Int]
    }

    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Cache) {
        let indices = indices(of: input)
        return (Self.gather(rows: indices, of: weight, shape: input.shape), Cache(indices: indices, inputShape: input.shape))
    }

    /// The validated row indices of `input` (whole numbers in 0 ..< vocabularySize), in storage order.
    package func indices(of input: Tensor<Scalar>) -> [Int] {
        let vocabularySize = vocabularySize
        return input.scalars.enumerated().map { position, value in
            guard value >= 0 && value < Scalar(vocabularySize) && value.rounded() == value else {
                preconditionFailure("Embedding: index \(value) at position \(position) of input shape \(input.shape) is not a whole number in 0..<\(vocabularySize)")
            }
            return Int(value)
        }
    }

    /// The rows `rows` of `table` (`[vocabulary, dimension]`), shaped `shape + [dimension]`.
    package static func gather(rows: [Int], of table: Tensor<Scalar>, shape: [Int]) -> Tensor<Scalar> {
        let dimension = table.shape[1]
        return Tensor<Scalar>(shape: shape + [dimension]) { destination in
            guard !rows.isEmpty else { return }
            table.withUnsafeBufferPointer { source in
                for (row, index) in rows.enumerated() {
                    (destination.baseAddress! + row * dimension).initialize(from: source.baseAddress! + index * dimension, count: dimension)
                }
            }
        }
    }

    /// ∂L/∂table from the gradient of gathered rows (`[…, dimension]`, one row per entry of `rows`):
    /// row v of the result (`[vocabularySize, dimension]`) adds, in order, the rows r in `range`
    /// (all by default) with `rows[r] == v`. The recurrent token path sums its pre-activation
    /// gradients per token with it too (`dimension` = the gate width).
    package static func scatterAdd(
        _ rowGradients: Tensor<Scalar>, rows: [Int], vocabularySize: Int, range: Range<Int>? = nil
    ) -> Tensor<Scalar> {
        var table = Tensor<Scalar>.zeros([vocabularySize, rowGradients.shape[rowGradients.rank - 1]])
        scatterAdd(rowGradients, rows: rows, range: range ?? rows.indices, into: &table)
        return table
    }

    /// Adds each row r in `range` of `rowGradients` into row `rows[r]` of `table`.
    private static func scatterAdd(_ rowGradients: Tensor<Scalar>, rows: [Int], range: Range<Int>, into table: inout Tensor<Scalar>) {
        let dimension = table.shape[1]
        guard !range.isEmpty else { return }
        table.withUnsafeMutableBufferPointer { tableBuffer in
            rowGradients.withUnsafeBufferPointer { gradientRows in
                for row in range {
                    Kernels.axpy(
                        count: dimension, alpha: 1, gradientRows.baseAddress! + row * dimension, tableBuffer.baseAddress! + rows[row] * dimension)
                }
            }
        }
    }

    /// Adds `tableGradient` (`[vocabularySize, dimension]`) into the gradient of `weight`.
    package func accumulate(tableGradient: Tensor<Scalar>, into gradients: inout ParameterSet<Scalar>) {
        precondition(
            tableGradient.shape == weight.shape,
            "Embedding.backward: table gradient shape \(tableGradient.shape) differs from the weight shape \(weight.shape)")
        gradients.accumulate("weight") { $0 += tableGradient }
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Cache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        let dimension = dimension
        precondition(outputGradient.shape == cache.inputShape + [dimension], "Embedding.backward: output gradient shape \(outputGradient.shape) differs from the output shape \(cache.inputShape + [dimension])")
        gradients.accumulate("weight") { Self.scatterAdd(outputGradient, rows: cache.indices, range: cache.indices.indices, into: &$0) }
        return .zeros(cache.inputShape)
    }
}
