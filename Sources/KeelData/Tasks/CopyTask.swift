/// The copy memory task: read ten symbols, wait T steps, and write them back after a delimiter.
///
/// Arjovsky, Shah & Bengio's definition (paper wording), with categories a₀ … a₉ coded as
/// symbols 0 … 9 (generalized: `symbolCount` data symbols, `copyLength` of them):
///
/// - input, T + 2·copyLength steps: `copyLength` symbols i.i.d. uniform on the data symbols
///   0 … symbolCount − 1; then T − 1 blanks (symbol `symbolCount`, a₈); one delimiter (symbol
///   `symbolCount` + 1, a₉); then `copyLength` blanks;
/// - target at every step: T + copyLength blanks, then the first `copyLength` inputs in order.
///
/// The loss is cross-entropy averaged over **all** T + 2·copyLength steps. The authors' code uses
/// another coding (data 1 … 8, blank 0, delimiter 9); the structure is the same.
///
/// **Baseline.** The memoryless strategy (blank until the delimiter, then uniform guesses over the
/// data symbols) scores copyLength·ln(symbolCount)/(T + 2·copyLength) = 10·ln 8/(T + 20) with the
/// defaults: 0.1733 at T = 100, 0.0945 at T = 200, 0.0650 at T = 300, 0.0400 at T = 500.
///
/// **Shapes.** Inputs `[T + 20, batch, 10]`; targets `[T + 20, batch]` class indices in 0 … 8;
/// ``target`` is `.sequenceClassification(classes: 9)` (defaults).
///
/// ## References
/// - M. Arjovsky, A. Shah, Y. Bengio, "Unitary Evolution Recurrent Neural Networks", ICML 2016,
///   §4.1, and `github.com/amarshah/complex_RNN` `memory_problem.py`.
/// - S. Hochreiter, J. Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8), 1997 (the
///   original formulation).
public struct CopyTask<Scalar: TensorScalar>: SyntheticTask {
    /// T: the delay between the end of the data and the delimiter, plus one.
    public let delay: Int
    /// Number of data symbols (8: a₀ … a₇).
    public let symbolCount: Int
    /// Number of symbols to copy (10).
    public let copyLength: Int
    /// Number of sequences per batch.
    public let batchSize: Int
    /// Number of batches that make up one epoch.
    public let batchesPerEpoch: Int
    /// The seed every batch is derived from: a batch depends only on (`seed`, epoch, index), so
    /// runs repeat exactly and batches can be generated in any order.
    public let seed: UInt64

    /// - Throws: ``DataConfigurationError`` if `delay` < 1, `symbolCount` < 2, `copyLength` < 1, or
    ///   a count is below 1.
    public init(
        delay: Int = 100, symbolCount: Int = 8, copyLength: Int = 10, batchSize: Int = 20,
        batchesPerEpoch: Int = 100, seed: UInt64 = 0
    ) throws {
        try PatternReplayTask.validate(
            delay: delay, symbolCount: ("symbolCount", symbolCount), patternLength: ("copyLength", copyLength),
            batchSize: batchSize, batchesPerEpoch: batchesPerEpoch)
        self.delay = delay
        self.symbolCount = symbolCount
        self.copyLength = copyLength
        self.batchSize = batchSize
        self.batchesPerEpoch = batchesPerEpoch
        self.seed = seed
    }

    /// T + 2·copyLength: the length of every sequence.
    public var sequenceLength: Int { delay + 2 * copyLength }

    /// `symbolCount` + 2: data symbols, blank and delimiter.
    public var inputFeatures: Int { symbolCount + 2 }

    /// The blank symbol (a₈ with the defaults), in inputs and targets.
    public var blankSymbol: Int { symbolCount }

    /// The delimiter symbol (a₉ with the defaults), in inputs only.
    public var delimiterSymbol: Int { symbolCount + 1 }

    /// `.sequenceClassification(classes: symbolCount + 1)`: a class at every step, the data symbols or the blank.
    public var target: SyntheticTaskTarget { .sequenceClassification(classes: symbolCount + 1) }

    /// copyLength·ln(symbolCount)/(T + 2·copyLength): the memoryless baseline.
    public var baselineLoss: Double { replay.baselineLoss }

    /// The batch at (`epoch`, `index`): inputs `[T + 2·copyLength, batch, symbolCount + 2]`,
    /// targets `[T + 2·copyLength, batch]`.
    public func batch(epoch: Int, index: Int) -> Batch<Scalar> { replay.batch(epoch: epoch, index: index) }

    private var replay: PatternReplayTask {
        PatternReplayTask(delay: delay, symbolCount: symbolCount, patternLength: copyLength, batchSize: batchSize, seed: seed, cueLead: 1)
    }
}
