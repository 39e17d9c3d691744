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
