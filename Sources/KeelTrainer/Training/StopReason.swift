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
    /// A ``StopCondition/target(_:_:)`` was reached at a validation.
    case targetReached(metric: ValidationMetric, value: Double, target: Double, step: Int)
    /// A ``StopCondition/divergence(_:bound:)`` was crossed at a validation.
    case metricDiverged(metric: ValidationMetric, value: Double, bound: Double)
    /// The parameters hold NaN or ±∞ (`parameter` is the first such tensor): no checkpoint is
    /// written with them.
    case nonFiniteWeights(parameter: String)

    /// The short name written as `FinishRecord.reason`: `completed`, `reachedMaxSteps`,
    /// `earlyStopping`, `monitorStop`, `retryBudgetExhausted`, `target` + the metric's name
    /// (`targetErrorRate`) or `diverged`.
    public var eventName: String {
        switch self {
        case .completed: "completed"
        case .reachedMaxSteps: "reachedMaxSteps"
        case .earlyStopping: "earlyStopping"
        case .monitor: "monitorStop"
        case .rollbackBudgetExhausted: "retryBudgetExhausted"
        case .targetReached(let metric, _, _, _): "target" + metric.rawValue.prefix(1).uppercased() + metric.rawValue.dropFirst()
        case .metricDiverged, .nonFiniteWeights: "diverged"
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
        case .targetReached(let metric, let value, let target, let step):
            "solved: \(metric.phrase) \(metric.format(value)) \(metric.lowerIsBetter ? "<" : ">") \(metric.format(target)) at step \(step)"
        case .metricDiverged(let metric, let value, let bound):
            "diverged: the \(metric.phrase) is \(metric.format(value)) (bound \(metric.format(bound)))"
        case .nonFiniteWeights(let parameter): "the weights are non-finite (first: \(parameter))"
        }
    }
}
