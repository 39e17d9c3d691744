/// Metrics of one pass over a validation source (inference mode, no parameter change).
public struct ValidationMetrics: Codable, Hashable, Sendable {
    /// The mean of the loss over the validation batches.
    public var loss: Double
    /// The fraction of rows whose arg-max prediction equals the target class index, when
    /// ``TrainerConfiguration/reportsAccuracy`` is on and targets are class indices `[batch]`.
    public var accuracy: Double?

    /// Metrics with the given values.
    public init(loss: Double, accuracy: Double? = nil) {
        self.loss = loss
        self.accuracy = accuracy
    }
}
