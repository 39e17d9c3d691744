import Testing
import KeelData

/// The published "wrong sequence" criteria on hand-made predictions, and which task uses which.
@Suite struct SequenceErrorCriterionTests {
    @Test func squaredErrorAboveCountsRowsWhoseSquaredErrorExceedsTheThreshold() {
        // Errors 0.1, 0.25, 0, 0.19, 0.21 → squared 0.01, 0.0625, 0, 0.0361, 0.0441.
        let predictions = Tensor<Double>(shape: [5, 1], scalars: [0.5, 0.7, 0.3, 1.0, 0.0])
        let targets = Tensor<Double>(shape: [5, 1], scalars: [0.6, 0.45, 0.3, 0.81, 0.21])
        let criterion = SequenceErrorCriterion.squaredErrorAbove(0.04)
        #expect(criterion.wrongSequences(predictions: predictions, targets: targets) == [false, true, false, false, true])
        #expect(criterion.wrongCount(predictions: predictions, targets: targets) == 2)
    }

    @Test func absoluteErrorAboveIsTheStricterHochreiterSchmidhuberRule() {
        let predictions = Tensor<Double>(shape: [4, 1], scalars: [0.5, 0.7, 0.3, 0.0])
        let targets = Tensor<Double>(shape: [4, 1], scalars: [0.53, 0.45, 0.3, -0.05])
        #expect(SequenceErrorCriterion.absoluteErrorAbove(0.04).wrongSequences(predictions: predictions, targets: targets) == [false, true, false, true])
    }

    @Test func anyOutputOfAMultiOutputRowCounts() {
        // Row 0: errors (0, 0.25): one squared error 0.0625 > 0.04 (their mean 0.031 is not).
        // Row 1: errors (0.15, 0.15): each 0.0225 ≤ 0.04 (their sum 0.045 is not).
        let predictions = Tensor<Double>(shape: [2, 2], scalars: [0, 0, 0.15, 0.15])
        let targets = Tensor<Double>(shape: [2, 2], scalars: [0, 0.25, 0, 0])
        #expect(SequenceErrorCriterion.squaredErrorAbove(0.04).wrongSequences(predictions: predictions, targets: targets) == [true, false])
    }

    @Test func lastStepArgmaxMismatchComparesTheArgmaxWithTheClass() {
        // Rows: argmax 2 (class 2, right); argmax 0 (class 3, wrong); a tie between 1 and 3
        // goes to 1 (class 1, right); argmax 3 (class 1, wrong).
        let predictions = Tensor<Float>(shape: [4, 4], scalars: [
            0.1, 0.2, 0.9, 0.3,
            5, -1, 0, 4.9,
            0, 2, 1, 2,
            -3, -2, -1, 0,
        ])
        let targets = Tensor<Float>(shape: [4], scalars: [2, 3, 1, 1])
        let criterion = SequenceErrorCriterion.lastStepArgmaxMismatch
        #expect(criterion.wrongSequences(predictions: predictions, targets: targets) == [false, true, false, true])
        #expect(criterion.wrongCount(predictions: predictions, targets: targets) == 2)
    }

    /// A NaN output is the arg-max: a diverged row is wrong even when its largest finite logit
    /// is at the class (row 0), and right only when the NaN sits at the class (row 1).
    @Test func aNaNOutputCountsAsTheArgmax() {
        let predictions = Tensor<Float>(shape: [2, 3], scalars: [0, .nan, 5, .nan, 1, 0])
        let targets = Tensor<Float>(shape: [2], scalars: [2, 0])
        #expect(SequenceErrorCriterion.lastStepArgmaxMismatch.wrongSequences(predictions: predictions, targets: targets) == [true, false])
    }

    @Test func anyStepArgmaxMismatchFailsASequenceOnASingleWrongStep() {
        // [time 3, batch 3, classes 3]: sequence 0 right everywhere, sequence 1 wrong at t = 2
        // only, sequence 2 wrong at every step.
        let classes: [[Int]] = [[0, 1, 2], [2, 2, 0], [1, 0, 1]]  // targets[t][b]
        let predicted: [[Int]] = [[0, 1, 0], [2, 2, 1], [1, 2, 0]]
        var scores: [Float] = []
        for t in 0..<3 {
            for b in 0..<3 {
                for c in 0..<3 { scores.append(c == predicted[t][b] ? 1 : 0) }
            }
        }
        let predictions = Tensor<Float>(shape: [3, 3, 3], scalars: scores)
        let targets = Tensor<Float>(shape: [3, 3], scalars: classes.flatMap { $0.map(Float.init) })
        #expect(SequenceErrorCriterion.anyStepArgmaxMismatch.wrongSequences(predictions: predictions, targets: targets) == [false, true, true])
    }

    @Test func everyTaskNamesItsPublishedCriterion() throws {
        #expect(try AddingProblem<Float>(variant: .pascanu2013, sequenceLength: 50).errorCriterion == .squaredErrorAbove(0.04))
        #expect(try AddingProblem<Float>(variant: .arjovsky2016, sequenceLength: 50).errorCriterion == .squaredErrorAbove(0.04))
        #expect(try AddingProblem<Float>(variant: .hochreiterSchmidhuber1997, sequenceLength: 50).errorCriterion == .absoluteErrorAbove(0.04))
        #expect(try MultiplicationProblem<Float>(sequenceLength: 50).errorCriterion == .squaredErrorAbove(0.04))
        #expect(try MultiplicationProblem<Float>(variant: .hochreiterSchmidhuber1997, sequenceLength: 50).errorCriterion == .absoluteErrorAbove(0.04))
        #expect(try TemporalOrderProblem<Float>(sequenceLength: 50).errorCriterion == .lastStepArgmaxMismatch)
        #expect(try TemporalOrderProblem<Float>(variant: .threeBits, sequenceLength: 50).errorCriterion == .lastStepArgmaxMismatch)
        #expect(try RandomPermutationProblem<Float>(sequenceLength: 20).errorCriterion == .lastStepArgmaxMismatch)
        #expect(try CopyTask<Float>(delay: 10).errorCriterion == .anyStepArgmaxMismatch)
        #expect(try NoiselessMemorizationProblem<Float>(delay: 10).errorCriterion == .anyStepArgmaxMismatch)
    }

    @Test func constantPredictorErrorRateOnPascanuAddingMatchesTheComputedBaseline() throws {
        // validation.md §2.2: predicting 0.5 is wrong (squared error > 0.04) on 35.96% of sequences.
        let task = try AddingProblem<Double>(variant: .pascanu2013, sequenceLength: 20, batchSize: 100, batchesPerEpoch: 100, seed: 11)
        var wrong = 0
        for index in 0..<task.batchesPerEpoch {
            let targets = task.batch(epoch: 0, index: index).targets
            wrong += task.errorCriterion.wrongCount(predictions: .filled(targets.shape, with: 0.5), targets: targets)
        }
        let rate = Double(wrong) / 10_000
        #expect(abs(rate - 0.3596) < 0.015, "constant-predictor error rate \(rate)")
    }
}
