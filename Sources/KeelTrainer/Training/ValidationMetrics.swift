/// Metrics of one validation (inference mode, no parameter change): the validation source's loss
/// (and accuracy), and the held-out set's loss and error rate when the trainer has a
/// ``HeldOutEvaluation``.
public struct ValidationMetrics: Codable, Hashable, Sendable {
    /// The mean of the loss over the validation batches.
    public var loss: Double
    /// The fraction of rows whose arg-max prediction equals the target class index, when
    /// ``TrainerConfiguration/reportsAccuracy`` is on and targets are class indices `[batch]`.
    public var accuracy: Double?
    /// The mean loss over the held-out set's batches.
    public var testLoss: Double?
    /// The fraction of the held-out examples its criterion judges wrong.
    public var errorRate: Double?

    /// Metrics with the given values.
    public init(loss: Double, accuracy: Double? = nil, testLoss: Double? = nil, errorRate: Double? = nil) {
        self.loss = loss
        self.accuracy = accuracy
        self.testLoss = testLoss
        self.errorRate = errorRate
    }

    /// The value of `metric`, or `nil` when this validation did not measure it.
    public subscript(metric: ValidationMetric) -> Double? {
        switch metric {
        case .loss: loss
        case .accuracy: accuracy
        case .testLoss: testLoss
        case .errorRate: errorRate
        }
    }

    /// The measured metrics keyed by `ValidationMetric.rawValue`, as `ValidationRecord` logs them.
    public var record: [String: Double] {
        var values: [String: Double] = [:]
        for metric in ValidationMetric.allCases { values[metric.rawValue] = self[metric] }
        return values
    }
}
