/// Batches of a character-level language model: chunks of `sequenceLength` symbols as input and
/// the same chunks shifted by one symbol as targets.
///
/// The split is cut into non-overlapping chunks starting at 0, L, 2L, … (L = `sequenceLength`),
/// each with its next-symbol target, so there are ⌊(n − 1)/L⌋ chunks of an n-symbol split. An
/// epoch visits the chunks in the order of an ``EpochOrder`` (a seeded Fisher–Yates permutation
/// per epoch, or text order without a seed) in batches of `batchSize`, dropping an incomplete
/// final batch.
///
/// **Shapes.** Inputs `[sequenceLength, batch]` and targets `[sequenceLength, batch]`, both
/// vocabulary indices stored as `Scalar` (feed the inputs to an embedding or one-hot them).
/// `targets[t, b]` is the symbol after `inputs[t, b]`.
public struct CharacterBatchSource<Scalar: TensorScalar>: BatchSource {
    /// The symbols of the split.
    public let symbols: [Int32]
    /// L: steps per chunk.
    public let sequenceLength: Int
    /// Chunks per batch and the per-epoch order.
    public let order: EpochOrder

    init(symbols: [Int32], sequenceLength: Int, batchSize: Int, shuffleSeed: UInt64?) throws {
        self.symbols = symbols
        self.sequenceLength = sequenceLength
        order = try EpochOrder(
            exampleCount: (symbols.count - 1) / sequenceLength, batchSize: batchSize, shuffleSeed: shuffleSeed, dropLast: true)
    }

    public var batchesPerEpoch: Int { order.batchesPerEpoch }

    /// The batch at (`epoch`, `index`): inputs and targets `[sequenceLength, batch]`.
    public func batch(epoch: Int, index: Int) -> Batch<Scalar> {
        let chunks = order.exampleIndices(epoch: epoch, index: index)
        let batch = chunks.count
        var inputs = [Scalar](repeating: 0, count: sequenceLength * batch)
        var targets = [Scalar](repeating: 0, count: sequenceLength * batch)
        for (b, chunk) in chunks.enumerated() {
            let start = chunk * sequenceLength
            for t in 0..<sequenceLength {
                inputs[t * batch + b] = Scalar(symbols[start + t])
                targets[t * batch + b] = Scalar(symbols[start + t + 1])
            }
        }
        return Batch(
            inputs: Tensor(shape: [sequenceLength, batch], scalars: inputs),
            targets: Tensor(shape: [sequenceLength, batch], scalars: targets))
    }
}
