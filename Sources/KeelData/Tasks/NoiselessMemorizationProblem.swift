/// Noiseless memorization: read a pattern, wait through L blanks, and replay the pattern after a
/// trigger.
///
/// Pascanu et al.'s definition (`memorization.py`; defaults `valueCount` = 5, `patternLength` =
/// 10, about 23.2 bits). With n = `patternLength`, the sequence has L + 2n steps and a one-hot
/// input of size `valueCount` + 2:
///
/// - steps 0 … n − 1: the pattern, each uniform on {0, …, valueCount − 1};
/// - steps n … L + n − 1: blank (symbol `valueCount`);
/// - step L + n: the trigger (symbol `valueCount` + 1); the remaining n − 1 steps are blank.
///
/// Targets (`valueCount` + 1 classes) at every step: the blank class `valueCount` for steps
/// 0 … L + n − 1, then the pattern in order over the last n steps, starting **at** the trigger
/// step. A sequence is wrong if any step is wrong.
///
/// **Baseline.** A memoryless model predicts blank exactly where the target is blank and guesses
/// uniformly over the values during the replay: mean cross-entropy over all steps
/// n·ln(valueCount)/(L + 2n) (0.2299 nats at L = 50, n = 10, 5 values).
///
/// The paper's "5 bits" variant is Martens & Sutskever's raw_mem5 (5 binary characters):
/// `valueCount: 2, patternLength: 5`.
///
/// **Shapes.** Inputs `[L + 2n, batch, valueCount + 2]`; targets `[L + 2n, batch]` class indices;
/// ``target`` is `.sequenceClassification(classes: valueCount + 1)`.
///
/// ## References
/// - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
///   networks", ICML 2013, and `github.com/pascanur/trainingRNNs` `memorization.py`.
/// - J. Martens, I. Sutskever, "Learning Recurrent Neural Networks with Hessian-Free
///   Optimization", ICML 2011.
public struct NoiselessMemorizationProblem<Scalar: TensorScalar>: SyntheticTask {
    /// L: the number of blank steps between the pattern and the trigger.
    public let delay: Int
    /// Number of distinct pattern values.
    public let valueCount: Int
    /// n: pattern length.
    public let patternLength: Int
    /// Number of sequences per batch.
    public let batchSize: Int
    /// Number of batches that make up one epoch.
    public let batchesPerEpoch: Int
    /// The seed every batch is derived from: a batch depends only on (`seed`, epoch, index), so
    /// runs repeat exactly and batches can be generated in any order.
    public let seed: UInt64

    /// - Throws: ``DataConfigurationError`` if `delay` < 1, `valueCount` < 2, `patternLength` < 1,
    ///   or a count is below 1.
    public init(
        delay: Int = 50, valueCount: Int = 5, patternLength: Int = 10, batchSize: Int = 20,
        batchesPerEpoch: Int = 100, seed: UInt64 = 0
    ) throws {
        try PatternReplayTask.validate(
            delay: delay, symbolCount: ("valueCount", valueCount), patternLength: ("patternLength", patternLength),
            batchSize: batchSize, batchesPerEpoch: batchesPerEpoch)
        self.delay = delay
        self.valueCount = valueCount
        self.patternLength = patternLength
        self.batchSize = batchSize
        self.batchesPerEpoch = batchesPerEpoch
        self.seed = seed
    }

    /// L + 2n: the length of every sequence.
    public var sequenceLength: Int { delay + 2 * patternLength }

    /// `valueCount` + 2: the values, blank and trigger.
    public var inputFeatures: Int { valueCount + 2 }

    /// The input and target symbol for "nothing".
    public var blankSymbol: Int { valueCount }

    /// The input symbol that asks for the replay.
    public var triggerSymbol: Int { valueCount + 1 }

    /// `.sequenceClassification(classes: valueCount + 1)`: a class at every step, the values or the blank.
    public var target: SyntheticTaskTarget { .sequenceClassification(classes: valueCount + 1) }

    /// n·ln(valueCount)/(L + 2n): the memoryless model's mean cross-entropy per step.
    public var baselineLoss: Double { replay.baselineLoss }

    /// The batch at (`epoch`, `index`): inputs `[L + 2n, batch, valueCount + 2]`, targets
    /// `[L + 2n, batch]`.
    public func batch(epoch: Int, index: Int) -> Batch<Scalar> { replay.batch(epoch: epoch, index: index) }

    private var replay: PatternReplayTask {
        PatternReplayTask(delay: delay, symbolCount: valueCount, patternLength: patternLength, batchSize: batchSize, seed: seed, cueLead: 0)
    }
}
