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
