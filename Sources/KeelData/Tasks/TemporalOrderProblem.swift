/// The temporal order problem: classify a long sequence by the order of two (or three) relevant
/// symbols hidden among distractors.
///
/// Pascanu et al.'s definition (`tempOrder.py`, `tempOrder3bit.py`), with positions 0-based and
/// `randint(n)` uniform on 0 ..< n. The input is a 6-way one-hot: symbols 0 and 1 are A and B,
/// 2 … 5 are the distractors c … f. Every step is a uniform distractor except the relevant ones:
///
/// - ``Variant/twoSymbols``: p₀ = ⌊0.1L⌋ + randint(⌊0.1L⌋), p₁ = ⌊0.5L⌋ + randint(⌊0.1L⌋); symbols
///   v₀, v₁ ∈ {A, B} uniform; class v₀ + 2v₁ of 4. (The code's [L/10, 2L/10) is used, not the
///   docstring's [1, L/10].) **Baseline:** chance cross-entropy ln 4 ≈ 1.386.
/// - ``Variant/threeBits``: p₀ ∈ [0.1L, 0.2L), p₁ ∈ [0.3L, 0.4L), p₂ ∈ [0.6L, 0.7L) (each
///   ⌊aL⌋ + randint(⌊0.1L⌋)); class v₀ + 2v₁ + 4v₂ of 8. **Baseline:** ln 8 ≈ 2.079.
///
/// A sequence is misclassified if the arg-max of the last step's softmax is not the class; the
/// paper's success criterion is < 1% of 10,000 fresh sequences.
///
/// **Shapes.** Inputs `[L, batch, 6]`; targets `[batch]` class indices; ``target`` is
/// `.classification(classes: 4)` or `(classes: 8)`.
///
/// ## References
/// - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
///   networks", ICML 2013, and `github.com/pascanur/trainingRNNs`.
/// - S. Hochreiter, J. Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8), 1997,
///   Exp. 6a/6b (the original task).
public struct TemporalOrderProblem<Scalar: TensorScalar>: SyntheticTask {
    /// Two relevant symbols (4 classes) or three (8 classes).
    public enum Variant: String, Sendable, Hashable, Codable, CaseIterable {
        /// `tempOrder.py`: 4 classes.
        case twoSymbols
        /// `tempOrder3bit.py`: 8 classes.
        case threeBits
    }

    /// Which variant is generated.
    public let variant: Variant
    /// L: the sequence length.
    public let sequenceLength: Int
    /// Number of sequences per batch.
    public let batchSize: Int
    /// Number of batches that make up one epoch.
    public let batchesPerEpoch: Int
    /// The seed every batch is derived from: a batch depends only on (`seed`, epoch, index), so
    /// runs repeat exactly and batches can be generated in any order.
    public let seed: UInt64

    /// - Throws: ``DataConfigurationError`` if L < 10 (the position windows ⌊0.1L⌋ would be
    ///   empty) or a count is below 1.
    public init(
        variant: Variant = .twoSymbols, sequenceLength: Int = 50, batchSize: Int = 20,
        batchesPerEpoch: Int = 100, seed: UInt64 = 0
    ) throws {
        try SyntheticTaskValidation.check(batchSize: batchSize, batchesPerEpoch: batchesPerEpoch)
        try SyntheticTaskValidation.check(sequenceLength: sequenceLength, atLeast: 10, because: "each relevant symbol lies in a window of ⌊0.1L⌋ steps")
        self.variant = variant
        self.sequenceLength = sequenceLength
        self.batchSize = batchSize
        self.batchesPerEpoch = batchesPerEpoch
        self.seed = seed
    }

    /// Six: A, B and four distractors.
    public var inputFeatures: Int { 6 }

    /// Number of classes: 4 or 8.
    public var classCount: Int { variant == .twoSymbols ? 4 : 8 }

    /// `.classification(classes: classCount)`: one class per sequence, the order of the relevant symbols.
    public var target: SyntheticTaskTarget { .classification(classes: classCount) }

    /// Chance cross-entropy, ln(classes).
    public var baselineLoss: Double { portableLog(Double(classCount)) }

    /// The start of each relevant symbol's window, as fractions of L.
    private var windowStarts: [Double] { variant == .twoSymbols ? [0.1, 0.5] : [0.1, 0.3, 0.6] }

    /// The batch at (`epoch`, `index`): inputs `[L, batch, 6]`, targets `[batch]`.
    public func batch(epoch: Int, index: Int) -> Batch<Scalar> {
        var generator = BatchSeed.generator(seed: seed, epoch: epoch, index: index)
        let length = sequenceLength
        let window = SyntheticTaskValidation.fraction(0.1, of: length)
        var buffer = SequenceBuffer(time: length, batch: batchSize, features: 6, targetCount: batchSize)
        for b in 0..<batchSize {
            var symbols = (0..<length).map { _ in 2 + Shuffler.uniformInteger(below: 4, using: &generator) }
            var label = 0
            for (bit, start) in windowStarts.enumerated() {
                let position = SyntheticTaskValidation.fraction(start, of: length) + Shuffler.uniformInteger(below: window, using: &generator)
                let value = Shuffler.uniformInteger(below: 2, using: &generator)
                symbols[position] = value
                label += value << bit
            }
            for step in 0..<length { buffer.setOneHot(step, b, symbol: symbols[step]) }
            buffer.targets[b] = Double(label)
        }
        return buffer.makeBatch(targetShape: [batchSize])
    }
}
