/// What one call of ``Trainer/fit(epochs:source:validation:maxSteps:)`` did.
public struct FitResult: Codable, Hashable, Sendable {
    /// Why the call returned.
    public var stopReason: StopReason
    /// The trainer's step counter at return (optimizer steps taken, skipped updates included).
    public var step: Int
    /// The training loss of the last step taken, if any.
    public var lastLoss: Double?
    /// The last validation metrics, if validation ran.
    public var lastValidation: ValidationMetrics?

    /// A result.
    public init(stopReason: StopReason, step: Int, lastLoss: Double?, lastValidation: ValidationMetrics?) {
        self.stopReason = stopReason
        self.step = step
        self.lastLoss = lastLoss
        self.lastValidation = lastValidation
    }
}
