/// Why ``Trainer/fit(epochs:source:validation:maxSteps:)`` returned.
public enum StopReason: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Every requested epoch ran.
    case completed
    /// The `maxSteps` limit was reached.
    case reachedMaxSteps
    /// Early stopping: the watched metric did not improve for `patience` evaluations.
    case earlyStopping(best: Double, evaluations: Int)
    /// A monitor returned `MonitorVerdict.stop(reason:)`.
    case monitor(reason: String)
    /// A rollback was needed but the retry budget is spent, or no snapshot exists.
    case rollbackBudgetExhausted(reason: String)

    /// The short name written as `FinishRecord.reason`: `completed`, `reachedMaxSteps`,
    /// `earlyStopping`, `monitorStop` or `retryBudgetExhausted`.
    public var eventName: String {
        switch self {
        case .completed: "completed"
        case .reachedMaxSteps: "reachedMaxSteps"
        case .earlyStopping: "earlyStopping"
        case .monitor: "monitorStop"
        case .rollbackBudgetExhausted: "retryBudgetExhausted"
        }
    }

    /// A sentence for logs.
    public var description: String {
        switch self {
        case .completed: "completed every epoch"
        case .reachedMaxSteps: "reached the step limit"
        case .earlyStopping(let best, let evaluations): "early stopping: no improvement on \(best) for \(evaluations) evaluations"
        case .monitor(let reason): "stopped by a monitor: \(reason)"
        case .rollbackBudgetExhausted(let reason): "rollback budget exhausted: \(reason)"
        }
    }
}
