/// A named quantity of ``ValidationMetrics``: what stop conditions, keep-best checkpoints and the
/// event log refer to, instead of strings.
public enum ValidationMetric: String, Codable, Hashable, Sendable, CaseIterable {
    /// ``ValidationMetrics/loss``, the validation source's mean loss.
    case loss
    /// ``ValidationMetrics/accuracy``.
    case accuracy
    /// ``ValidationMetrics/testLoss``, the held-out set's mean loss.
    case testLoss
    /// ``ValidationMetrics/errorRate``, the fraction of the held-out examples judged wrong.
    case errorRate

    /// Whether smaller values are better (losses, error rates) or larger (accuracy).
    public var lowerIsBetter: Bool { self != .accuracy }

    /// Words for messages: "validation loss", "test error rate".
    public var phrase: String {
        switch self {
        case .loss: "validation loss"
        case .accuracy: "validation accuracy"
        case .testLoss: "test loss"
        case .errorRate: "test error rate"
        }
    }

    /// `value` as messages print it: a percentage for fractions, else six significant digits.
    public func format(_ value: Double) -> String {
        switch self {
        case .accuracy, .errorRate: String(format: "%.2f%%", 100 * value)
        case .loss, .testLoss: String(format: "%.6g", value)
        }
    }

    /// Whether `value` is better than `reference` in this metric's direction.
    public func isBetter(_ value: Double, than reference: Double) -> Bool {
        lowerIsBetter ? value < reference : value > reference
    }
}
