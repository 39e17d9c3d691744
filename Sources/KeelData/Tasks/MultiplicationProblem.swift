/// The multiplication problem: remember two marked numbers in a long sequence and output their
/// product.
///
/// The input has two features per step, **feature 0 the value and feature 1 the marker**, as in
/// ``AddingProblem``. Values are U[0, 1) in both variants.
///
/// - ``Variant/pascanu2013`` (the default; `multiplication.py` of the authors' code): identical
///   to the Pascanu adding problem (length l in [T, 1.1T) per batch, p₀ = randint(⌊0.1l⌋),
///   p₁ = ⌊0.1l⌋ + randint(⌊0.4l⌋)), target x[p₀]·x[p₁]. Wrong if squared error > 0.04.
///   **Baseline:** predicting the mean 1/4 gives MSE Var = 1/9 − 1/16 = 7/144 ≈ 0.0486
///   (39.0% of sequences wrong).
/// - ``Variant/hochreiterSchmidhuber1997`` (LSTM paper, Exp. 5): the markers, lengths and −1 end
///   markers of the H&S adding problem; a marked value at the first step counts as 1.0
///   ("X1 := 1.0"); target X1·X2. **Baseline:** predicting the mean gives MSE equal to the
///   target variance, E[y²] − E[y]² with q = 0.1 + 0.9/(⌊T/2⌋ − 2) the chance that one factor is
///   the first step: E[y] = q/2 + (1 − q)/4, E[y²] = q/3 + (1 − q)/9 (≈ 0.0573 at T = 100).
///
/// **Shapes.** Inputs `[length, batch, 2]`; targets `[batch, 1]`; ``target`` is `.regression`.
///
/// ## References
/// - S. Hochreiter, J. Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8), 1997, Exp. 5.
/// - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
///   networks", ICML 2013, and `github.com/pascanur/trainingRNNs` `multiplication.py`.
public struct MultiplicationProblem<Scalar: TensorScalar>: SyntheticTask {
    /// Which published definition of the multiplication problem to generate.
    public enum Variant: String, Sendable, Hashable, Codable, CaseIterable {
        /// Hochreiter & Schmidhuber 1997, Exp. 5; needs T ≥ 24.
        case hochreiterSchmidhuber1997
        /// Pascanu, Mikolov & Bengio 2013 (`multiplication.py`); needs T ≥ 10.
        case pascanu2013
    }

    /// The published definition generated.
    public let variant: Variant
    /// T: the minimum sequence length.
    public let sequenceLength: Int
    /// Whether every batch has length exactly T, even where the paper varies it.
    public let fixedLength: Bool
    /// Number of sequences per batch.
    public let batchSize: Int
    /// Number of batches that make up one epoch.
    public let batchesPerEpoch: Int
    /// The seed every batch is derived from: a batch depends only on (`seed`, epoch, index), so
    /// runs repeat exactly and batches can be generated in any order.
    public let seed: UInt64

    /// - Throws: ``DataConfigurationError`` if T is too short for the variant, or a count is below 1.
    public init(
        variant: Variant = .pascanu2013, sequenceLength: Int = 100, fixedLength: Bool = false,
        batchSize: Int = 20, batchesPerEpoch: Int = 100, seed: UInt64 = 0
    ) throws {
        try variant.layout.validate(sequenceLength: sequenceLength, batchSize: batchSize, batchesPerEpoch: batchesPerEpoch)
        self.variant = variant
        self.sequenceLength = sequenceLength
        self.fixedLength = fixedLength
        self.batchSize = batchSize
        self.batchesPerEpoch = batchesPerEpoch
        self.seed = seed
    }

    /// Two: the value and the marker.
    public var inputFeatures: Int { 2 }

    /// `.regression`: one real-valued target per sequence, scored by mean squared error.
    public var target: SyntheticTaskTarget { .regression }

    /// The mean squared error of predicting the target's mean (the target variance).
    public var baselineLoss: Double {
        switch variant {
        case .pascanu2013: return 7.0 / 144.0
        case .hochreiterSchmidhuber1997:
            let q = 0.1 + 0.9 * MarkedPairs.hochreiterSchmidhuberSecondAtStart(sequenceLength)
            let mean = q / 2 + (1 - q) / 4
            return q / 3 + (1 - q) / 9 - mean * mean
        }
    }

    /// Squared error > 0.04 (Pascanu's `multiplication.py`), or absolute error > 0.04 for
    /// ``Variant/hochreiterSchmidhuber1997`` (Exp. 5 counts errors as Exp. 4 does).
    public var errorCriterion: SequenceErrorCriterion { variant.layout.errorCriterion }

    /// The batch at (`epoch`, `index`): inputs `[length, batch, 2]`, targets `[batch, 1]`.
    public func batch(epoch: Int, index: Int) -> Batch<Scalar> {
        MarkedPairTask(
            layout: variant.layout, sequenceLength: sequenceLength, fixedLength: fixedLength, batchSize: batchSize, seed: seed,
            firstStepValue: variant == .hochreiterSchmidhuber1997 ? 1 : nil, combine: { $0 * $1 }
        ).batch(epoch: epoch, index: index)
    }
}

extension MultiplicationProblem.Variant {
    /// The marker layout the variant's paper uses.
    var layout: MarkedPairTask.Layout {
        switch self {
        case .pascanu2013: .pascanu
        case .hochreiterSchmidhuber1997: .hochreiterSchmidhuber
        }
    }
}
