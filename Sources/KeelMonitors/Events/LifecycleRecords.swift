/// The payload of ``TrainingEvent/validation(_:)``: metrics on held-out data.
///
/// JSON fields: `step`, `epoch`, `metrics` (an object of name → number).
public struct ValidationRecord: Sendable, Codable, Hashable {
    /// Steps taken when validation ran.
    public var step: Int
    /// The epoch.
    public var epoch: Int
    /// Metrics by name, e.g. `loss`, `accuracy`.
    public var metrics: [String: Double]

    /// A validation record.
    public init(step: Int, epoch: Int, metrics: [String: Double]) {
        self.step = step
        self.epoch = epoch
        self.metrics = metrics
    }
}

/// The payload of ``TrainingEvent/checkpointSaved(_:)``.
///
/// JSON fields: `step`, `path`.
public struct CheckpointRecord: Sendable, Codable, Hashable {
    /// Steps taken when the checkpoint was written.
    public var step: Int
    /// Where it was written.
    public var path: String

    /// A checkpoint record.
    public init(step: Int, path: String) {
        self.step = step
        self.path = path
    }
}

/// The payload of ``TrainingEvent/epochCompleted(_:)``.
///
/// JSON fields: `epoch`, `step`, and when known `meanLoss`, `durationSeconds`.
public struct EpochRecord: Sendable, Codable, Hashable {
    /// The epoch that ended (0-based).
    public var epoch: Int
    /// Steps taken so far.
    public var step: Int
    /// The mean training loss over the epoch's applied steps.
    public var meanLoss: Double?
    /// Wall-clock seconds the epoch took.
    public var durationSeconds: Double?

    /// An epoch record.
    public init(epoch: Int, step: Int, meanLoss: Double? = nil, durationSeconds: Double? = nil) {
        self.epoch = epoch
        self.step = step
        self.meanLoss = meanLoss
        self.durationSeconds = durationSeconds
    }
}

/// The payload of ``TrainingEvent/trainingFinished(_:)``.
///
/// JSON fields: `step`, `reason` (e.g. `completed`, `earlyStopping`, `monitorStop`,
/// `retryBudgetExhausted`; free text for others), `detail` when given.
public struct FinishRecord: Sendable, Codable, Hashable {
    /// Steps taken in total.
    public var step: Int
    /// Why training ended, as a short camel-case word.
    public var reason: String
    /// A sentence with details (e.g. the stopping monitor's reason).
    public var detail: String?

    /// A finish record.
    public init(step: Int, reason: String, detail: String? = nil) {
        self.step = step
        self.reason = reason
        self.detail = detail
    }
}
