/// What the trainer did in response to a verdict: the `action` string in event JSON.
public enum ActionKind: String, Sendable, Codable, Hashable, CaseIterable {
    /// The step's update was dropped.
    case skipUpdate
    /// The trainer restored an earlier state and skipped batches.
    case rollback
    /// The learning rate changed (a monitor's scaling, a plateau schedule, a rollback back-off).
    case learningRateChange
    /// Optimizer moments were reset.
    case resetOptimizerState
    /// Training stopped.
    case stop
}
