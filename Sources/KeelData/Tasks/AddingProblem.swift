/// The adding problem: remember two marked real numbers in a long sequence and output their sum.
///
/// Three published definitions, chosen by ``Variant``. In every variant the input has two
/// features per step, **feature 0 the value and feature 1 the marker** (Pascanu's code stores them
/// the other way round; the order carries no meaning for a learned model). Positions are 0-based.
///
/// - ``Variant/arjovsky2016`` (uRNN/IRNN variant; the default). Length exactly T. Values
///   x ~ U[0, 1); marker 1 at one step uniform in [0, ⌊T/2⌋) and one uniform in [⌊T/2⌋, T), 0
///   elsewhere. Target: the sum of the two marked values. **Baseline:** predicting 1 gives MSE
///   Var(x₁ + x₂) = 1/6 ≈ 0.1667 (the papers' "0.167").
/// - ``Variant/pascanu2013`` (`addition.py` of the authors' code). Length l = T + randint(⌊0.1T⌋)
///   per batch, i.e. in [T, 1.1T). Values ~ U[0, 1); p₀ = randint(⌊0.1l⌋), p₁ = ⌊0.1l⌋ +
///   randint(⌊0.4l⌋). Target (x[p₀] + x[p₁])/2. A sequence is wrong if its squared error exceeds
///   0.04. **Baseline:** predicting 0.5 gives MSE 1/24 ≈ 0.0417 (35.96% of sequences wrong).
/// - ``Variant/hochreiterSchmidhuber1997`` (LSTM paper, Exp. 4). Length uniform in [T, T + ⌊T/10⌋]
///   per batch. Values ~ U[−1, 1]; marker ∈ {1, 0, −1}: X1 marked at one of the first 10 steps,
///   X2 at one of the first ⌊T/2⌋ − 1 steps other than X1's; the first and last steps carry
///   marker −1 unless marked. A marked value at the first step counts as 0 ("X1 := 0").
///   Target 0.5 + (X1 + X2)/4; correct if |error| < 0.04. **Baseline:** predicting 0.5 gives MSE
///   (0.9 + 1 − 0.9/(⌊T/2⌋ − 2)) / 48 ≈ 0.0392 at T = 100 (validation.md's 1/24 ignores the
///   first-step rule).
///
/// Where the papers draw a length per sequence, one length is drawn per batch (a batch tensor has
/// one time extent); `fixedLength: true` always uses T.
///
/// **Shapes.** Inputs `[length, batch, 2]`; targets `[batch, 1]`; ``target`` is `.regression`.
///
/// ```swift
/// let task = try AddingProblem<Float>(sequenceLength: 100, batchSize: 20, seed: 7)
/// let batch = task.batch(epoch: 0, index: 0)   // inputs [100, 20, 2], targets [20, 1]
/// ```
///
/// ## References
/// - S. Hochreiter, J. Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8), 1997, Exp. 4.
/// - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
///   networks", ICML 2013, and `github.com/pascanur/trainingRNNs` `addition.py`.
/// - M. Arjovsky, A. Shah, Y. Bengio, "Unitary Evolution Recurrent Neural Networks", ICML 2016, §4.2.
/// - Q. V. Le, N. Jaitly, G. E. Hinton, "A Simple Way to Initialize Recurrent Networks of
///   Rectified Linear Units", arXiv:1504.00941, 2015.
public struct AddingProblem<Scalar: TensorScalar>: SyntheticTask {
    /// Which published definition of the adding problem to generate.
    public enum Variant: String, Sendable, Hashable, Codable, CaseIterable {
        /// Hochreiter & Schmidhuber 1997, Exp. 4; needs T ≥ 24.
        case hochreiterSchmidhuber1997
        /// Pascanu, Mikolov & Bengio 2013 (`addition.py`); needs T ≥ 10.
        case pascanu2013
        /// Arjovsky, Shah & Bengio 2016 (uRNN), also used for the IRNN; needs T ≥ 2.
        case arjovsky2016
    }

    /// The published definition generated.
    public let variant: Variant
    /// T: the (minimum) sequence length.
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

    /// - Throws: ``DataConfigurationError`` if T is too short for the variant's marker
    ///   positions, or a count is below 1.
    public init(
        variant: Variant = .arjovsky2016, sequenceLength: Int = 100, fixedLength: Bool = false,
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

    /// The mean squared error of the constant predictor named in the type's documentation.
    public var baselineLoss: Double {
        switch variant {
        case .arjovsky2016: 1.0 / 6.0
        case .pascanu2013: 1.0 / 24.0
        case .hochreiterSchmidhuber1997:
            (0.9 + 1 - 0.9 * MarkedPairs.hochreiterSchmidhuberSecondAtStart(sequenceLength)) / 48
        }
    }

    /// Squared error > 0.04 (Pascanu's `addition.py`; Keel uses the same for the uRNN/IRNN variant),
    /// or absolute error > 0.04 for ``Variant/hochreiterSchmidhuber1997`` (Exp. 4).
    public var errorCriterion: SequenceErrorCriterion { variant.layout.errorCriterion }

    /// The batch at (`epoch`, `index`): inputs `[length, batch, 2]`, targets `[batch, 1]`.
    public func batch(epoch: Int, index: Int) -> Batch<Scalar> {
        let (symmetricValues, firstStepValue, combine): (Bool, Double?, (Double, Double) -> Double) = switch variant {
        case .arjovsky2016: (false, nil, { $0 + $1 })
        case .pascanu2013: (false, nil, { ($0 + $1) / 2 })
        case .hochreiterSchmidhuber1997: (true, 0, { 0.5 + ($0 + $1) / 4 })
        }
        return MarkedPairTask(
            layout: variant.layout, sequenceLength: sequenceLength, fixedLength: fixedLength, batchSize: batchSize, seed: seed,
            symmetricValues: symmetricValues, firstStepValue: firstStepValue, combine: combine
        ).batch(epoch: epoch, index: index)
    }
}

extension AddingProblem.Variant {
    /// The marker layout the variant's paper uses.
    var layout: MarkedPairTask.Layout {
        switch self {
        case .arjovsky2016: .halves
        case .pascanu2013: .pascanu
        case .hochreiterSchmidhuber1997: .hochreiterSchmidhuber
        }
    }
}
