/// The checkpoints ``Trainer/fit(epochs:source:validation:maxSteps:)`` writes by itself: the
/// latest state every `every` steps and when it returns, and the best state by a validation
/// metric. Only rank 0 of a ``TrainingCollective`` writes.
///
/// A checkpoint is never written with non-finite weights: fit stops with
/// ``StopReason/nonFiniteWeights(parameter:)`` instead, and the directories keep the last finite
/// checkpoint.
public struct CheckpointPolicy: Sendable {
    /// The directory of the latest checkpoint (replaced atomically each time), or `nil` for none.
    public var directory: String?
    /// Steps between latest checkpoints (≥ 1); `nil`: only when fit returns.
    public var every: Int?
    /// The directory of the best checkpoint by ``bestMetric`` (written at validations that
    /// improve on it), or `nil` for none.
    public var bestDirectory: String?
    /// The metric that ranks checkpoints for ``bestDirectory``.
    public var bestMetric: ValidationMetric
    /// Files written beside each checkpoint (a model description, a vocabulary), given the
    /// directory they go to.
    public var extraFiles: @Sendable (_ directory: String) throws -> [String: [UInt8]]

    /// A policy; every part is optional.
    ///
    /// - Precondition: `every` ≥ 1 when given.
    public init(
        directory: String? = nil, every: Int? = nil, bestDirectory: String? = nil, bestMetric: ValidationMetric = .loss,
        extraFiles: @escaping @Sendable (_ directory: String) throws -> [String: [UInt8]] = { _ in [:] }
    ) {
        if let every { precondition(every >= 1, "CheckpointPolicy: every \(every) must be ≥ 1") }
        self.directory = directory
        self.every = every
        self.bestDirectory = bestDirectory
        self.bestMetric = bestMetric
        self.extraFiles = extraFiles
    }
}

/// The best checkpoint written so far: the metric's value and the step.
public struct BestCheckpoint: Codable, Hashable, Sendable {
    /// The ranking metric's value.
    public var value: Double
    /// The step at which it was measured and saved.
    public var step: Int

    /// A record of a checkpoint whose metric was `value` at `step`.
    public init(value: Double, step: Int) {
        self.value = value
        self.step = step
    }
}
