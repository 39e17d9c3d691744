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
