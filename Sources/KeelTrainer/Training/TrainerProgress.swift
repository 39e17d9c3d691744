/// The trainer's evolving state besides the model, the pipeline state and the monitors: what a
/// rollback snapshot restores and a checkpoint stores.
struct TrainerProgress: Codable, Sendable {
    var step = 0
    var cursor = TrainingCursor(epoch: 0, index: 0)
    var generator: Xoshiro256StarStar
    var learningRateScale = 1.0
    var plateau: ReduceLROnPlateau?
    var earlyStopping: EarlyStopping?
    var spectralEstimators: [String: SpectralNormEstimator] = [:]
    var previousUpdateNorm: Double?
    var epochLossSum = 0.0
    var epochLossCount = 0
    var lastLoss: Double?
    var lastValidation: ValidationMetrics?
    /// The step of the last validation (fit's final validation is skipped when it is this one).
    var lastValidationStep: Int?
}
