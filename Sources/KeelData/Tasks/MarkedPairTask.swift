/// The generator shared by ``AddingProblem`` and ``MultiplicationProblem``: one sequence of values
/// and markers per published layout, the two marked values combined by the problem's operation.
///
/// Feature 0 is the value, feature 1 the marker. The public problems pick the layout, the value
/// range, the first-step rule and the operation from their `Variant`; everything else (validation,
/// lengths, positions, markers, the error criterion) is the layout's and lives here once.
struct MarkedPairTask {
    /// Where the two markers sit and how long a batch is.
    enum Layout {
        /// Arjovsky et al. 2016: length exactly T, one marker in each half.
        case halves
        /// Pascanu et al. 2013: length in [T, 1.1T), markers in the first 10% and the next 40%.
        case pascanu
        /// Hochreiter & Schmidhuber 1997, Exp. 4/5: length in [T, T + ⌊T/10⌋], −1 end markers.
        case hochreiterSchmidhuber

        /// The shortest T the layout's marker positions allow, and why.
        var minimumLength: (length: Int, reason: String) {
            switch self {
            case .halves: (2, "one marker in each half")
            case .pascanu: (10, "the first marker lies in the first 10% of the steps")
            case .hochreiterSchmidhuber: (24, "X2 lies in the first T/2 − 1 steps, beyond X1's first 10")
            }
        }

        /// Absolute error > 0.04 for Hochreiter & Schmidhuber (Exp. 4 and 5), squared error > 0.04
        /// (Pascanu's code) otherwise.
        var errorCriterion: SequenceErrorCriterion {
            self == .hochreiterSchmidhuber ? .absoluteErrorAbove(0.04) : .squaredErrorAbove(0.04)
        }

        /// Checks the counts, then T against the layout's minimum.
        func validate(sequenceLength: Int, batchSize: Int, batchesPerEpoch: Int) throws {
            try SyntheticTaskValidation.check(batchSize: batchSize, batchesPerEpoch: batchesPerEpoch)
            let minimum = minimumLength
            try SyntheticTaskValidation.check(sequenceLength: sequenceLength, atLeast: minimum.length, because: minimum.reason)
        }
    }

    let layout: Layout
    /// T: the (minimum) sequence length.
    let sequenceLength: Int
    /// Whether every batch has length exactly T.
    let fixedLength: Bool
    let batchSize: Int
    let seed: UInt64
    /// Values U[−1, 1] when true, U[0, 1) when false.
    var symmetricValues = false
    /// What a marked value on the first step counts as (H&S's "X1 := 0" and "X1 := 1.0"); `nil`
    /// counts it as drawn.
    var firstStepValue: Double? = nil
    /// The target from the two marked values, in marker order.
    let combine: (Double, Double) -> Double

    /// The batch at (`epoch`, `index`): inputs `[length, batch, 2]`, targets `[batch, 1]`.
    func batch<Scalar: TensorScalar>(epoch: Int, index: Int) -> Batch<Scalar> {
        var generator = BatchSeed.generator(seed: seed, epoch: epoch, index: index)
        let t = sequenceLength
        let length = switch layout {
        case .halves: t
        case .pascanu: MarkedPairs.pascanuLength(t, fixed: fixedLength, using: &generator)
        case .hochreiterSchmidhuber: MarkedPairs.hochreiterSchmidhuberLength(t, fixed: fixedLength, using: &generator)
        }
        var buffer = SequenceBuffer(time: length, batch: batchSize, features: 2, targetCount: batchSize)
        for b in 0..<batchSize {
            for step in 0..<length {
                let unit = generator.nextUnitDouble()
                buffer.set(step, b, 0, symmetricValues ? 2 * unit - 1 : unit)
            }
            let (first, second) = switch layout {
            case .halves: MarkedPairs.halvesPositions(t, using: &generator)
            case .pascanu: MarkedPairs.pascanuPositions(length, using: &generator)
            case .hochreiterSchmidhuber: MarkedPairs.hochreiterSchmidhuberPositions(t, using: &generator)
            }
            if layout == .hochreiterSchmidhuber {
                buffer.set(0, b, 1, -1)
                buffer.set(length - 1, b, 1, -1)
            }
            buffer.set(first, b, 1, 1)
            buffer.set(second, b, 1, 1)
            func marked(_ step: Int) -> Double {
                if step == 0, let firstStepValue { return firstStepValue }
                return buffer.inputs[(step * batchSize + b) * 2]
            }
            let target = combine(marked(first), marked(second))
            buffer.targets[b] = target
        }
        return buffer.makeBatch(targetShape: [batchSize, 1])
    }
}
