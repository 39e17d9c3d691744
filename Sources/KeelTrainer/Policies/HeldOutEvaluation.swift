/// A held-out set measured at every validation besides the validation source: its mean loss and
/// the fraction of its examples a task's criterion judges wrong (``ValidationMetrics/testLoss``,
/// ``ValidationMetrics/errorRate``). The synthetic tasks' "solved" threshold is a target on the
/// error rate (a ``StopCondition``).
///
/// ```swift
/// trainer.heldOutEvaluation = HeldOutEvaluation(source: AnyBatchSource(testBatches), exampleCount: 1000) { predictions, targets in
///     criterion.wrongCount(predictions: predictions, targets: targets)
/// }
/// ```
public struct HeldOutEvaluation<Scalar: TensorScalar>: Sendable {
    /// The held-out batches (epoch 0 is read).
    public var source: AnyBatchSource<Scalar>
    /// The number of examples in `source`, the error rate's denominator.
    public var exampleCount: Int
    /// How many examples of one batch are wrong, from the model's output and the targets.
    public var wrongCount: @Sendable (_ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>) -> Int

    /// A held-out set of `exampleCount` examples judged by `wrongCount`.
    ///
    /// - Precondition: `exampleCount` ≥ 1.
    public init(
        source: AnyBatchSource<Scalar>, exampleCount: Int,
        wrongCount: @escaping @Sendable (_ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>) -> Int
    ) {
        precondition(exampleCount >= 1, "HeldOutEvaluation: exampleCount \(exampleCount) must be ≥ 1")
        self.source = source
        self.exampleCount = exampleCount
        self.wrongCount = wrongCount
    }
}
