/// The random permutation problem: remember the first symbol of a long sequence of random symbols.
///
/// Pascanu et al.'s definition (`permutation.py`). The input is a one-hot of size
/// `symbolCount` (100 in the paper) at each of L steps: step 0 holds v ∈ {0, 1} uniform; steps
/// 1 … L − 1 are uniform on {2, …, symbolCount − 1}. The target is v, predicted from the last
/// step by a `symbolCount`-way softmax. (The name is historical: the sequence is not a
/// permutation.) **Baseline:** once a model has learned that v ∈ {0, 1}, chance cross-entropy is
/// ln 2 ≈ 0.693 (a uniform guess over all symbols would be ln 100).
///
/// The paper reports this as the hardest of its tasks: 2 of 5 runs succeeded.
///
/// **Shapes.** Inputs `[L, batch, symbolCount]`; targets `[batch]` class indices (0 or 1);
/// ``target`` is `.classification(classes: symbolCount)`.
///
/// ## References
/// - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
///   networks", ICML 2013, and `github.com/pascanur/trainingRNNs` `permutation.py`.
/// - J. Martens, I. Sutskever, "Learning Recurrent Neural Networks with Hessian-Free
///   Optimization", ICML 2011.
public struct RandomPermutationProblem<Scalar: TensorScalar>: SyntheticTask {
    /// L: the sequence length.
    public let sequenceLength: Int
    /// Size of the one-hot alphabet (100 in the paper).
    public let symbolCount: Int
    /// Number of sequences per batch.
    public let batchSize: Int
    /// Number of batches that make up one epoch.
    public let batchesPerEpoch: Int
    /// The seed every batch is derived from: a batch depends only on (`seed`, epoch, index), so
    /// runs repeat exactly and batches can be generated in any order.
    public let seed: UInt64

    /// - Throws: ``DataConfigurationError`` if L < 2, `symbolCount` < 3, or a count is below 1.
    public init(
        sequenceLength: Int = 100, symbolCount: Int = 100, batchSize: Int = 20,
        batchesPerEpoch: Int = 100, seed: UInt64 = 0
    ) throws {
        try SyntheticTaskValidation.check(batchSize: batchSize, batchesPerEpoch: batchesPerEpoch)
        try SyntheticTaskValidation.check(sequenceLength: sequenceLength, atLeast: 2, because: "the remembered symbol is followed by at least one other")
        guard symbolCount >= 3 else {
            throw DataConfigurationError(parameter: "symbolCount", reason: "must be at least 3 (two targets and a distractor), got \(symbolCount)")
        }
        self.sequenceLength = sequenceLength
        self.symbolCount = symbolCount
        self.batchSize = batchSize
        self.batchesPerEpoch = batchesPerEpoch
        self.seed = seed
    }

    /// `symbolCount`.
    public var inputFeatures: Int { symbolCount }

    /// `.classification(classes: symbolCount)`: one class per sequence, the symbol to predict at the last step.
    public var target: SyntheticTaskTarget { .classification(classes: symbolCount) }

    /// ln 2: chance cross-entropy once the model knows the answer is 0 or 1.
    public var baselineLoss: Double { portableLog(2) }

    /// The batch at (`epoch`, `index`): inputs `[L, batch, symbolCount]`, targets `[batch]`.
    public func batch(epoch: Int, index: Int) -> Batch<Scalar> {
        var generator = BatchSeed.generator(seed: seed, epoch: epoch, index: index)
        var buffer = SequenceBuffer(time: sequenceLength, batch: batchSize, features: symbolCount, targetCount: batchSize)
        for b in 0..<batchSize {
            let remembered = Shuffler.uniformInteger(below: 2, using: &generator)
            buffer.setOneHot(0, b, symbol: remembered)
            for step in 1..<sequenceLength {
                buffer.setOneHot(step, b, symbol: 2 + Shuffler.uniformInteger(below: symbolCount - 2, using: &generator))
            }
            buffer.targets[b] = Double(remembered)
        }
        return buffer.makeBatch(targetShape: [batchSize])
    }
}
