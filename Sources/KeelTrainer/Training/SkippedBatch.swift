/// A batch the trainer left out after a rollback, with the step and reason: the record to replay
/// or audit a run (Lightning's `skip_batches.json`, but written by the trainer itself).
public struct SkippedBatch: Codable, Hashable, Sendable {
    /// Where the batch is in the data.
    public var cursor: TrainingCursor
    /// The optimizer step at which the batch was found bad (before the rollback).
    public var step: Int
    /// The monitor's reason.
    public var reason: String

    /// A record of the batch at `cursor`, found bad at `step` for `reason`.
    public init(cursor: TrainingCursor, step: Int, reason: String) {
        self.cursor = cursor
        self.step = step
        self.reason = reason
    }
}
