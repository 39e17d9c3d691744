/// The payload of ``TrainingEvent/actionTaken(_:)``: what the trainer did about a verdict.
///
/// JSON fields: `step`, `action` (``ActionKind``), `reason`, and when relevant `restoredStep`,
/// `skippedBatches` (array of batch indices), `previousLearningRate`, `newLearningRate`,
/// `retriesLeft`.
public struct ActionRecord: Sendable, Codable, Hashable {
    /// The step the action was taken at.
    public var step: Int
    /// What was done.
    public var action: ActionKind
    /// Why (usually the verdict's reason).
    public var reason: String
    /// For a rollback: the step of the restored snapshot.
    public var restoredStep: Int?
    /// Batches skipped (data-source indices), for a rollback or skip.
    public var skippedBatches: [Int]?
    /// The learning rate before a change.
    public var previousLearningRate: Double?
    /// The learning rate after a change.
    public var newLearningRate: Double?
    /// Rollbacks left in the retry budget.
    public var retriesLeft: Int?

    /// An action record.
    public init(
        step: Int, action: ActionKind, reason: String, restoredStep: Int? = nil, skippedBatches: [Int]? = nil,
        previousLearningRate: Double? = nil, newLearningRate: Double? = nil, retriesLeft: Int? = nil
    ) {
        self.step = step
        self.action = action
        self.reason = reason
        self.restoredStep = restoredStep
        self.skippedBatches = skippedBatches
        self.previousLearningRate = previousLearningRate
        self.newLearningRate = newLearningRate
        self.retriesLeft = retriesLeft
    }
}
