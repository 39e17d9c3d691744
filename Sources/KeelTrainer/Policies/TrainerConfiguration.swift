/// The trainer's knobs that are not components: accumulation, truncated BPTT, validation, early
/// stopping, plateau, rollback and the recurrent-statistics cadence.
public struct TrainerConfiguration: Sendable {
    /// The seed of the trainer's generator (dropout and other randomness of forward passes).
    public var seed: UInt64
    /// Micro-batches per optimizer step (≥ 1). The trainer averages their gradients **before**
    /// statistics, monitors and the pipeline run, so a clipper in the pipeline sees the
    /// accumulated gradient (no `Accumulate` wrapper needed; do not combine the two).
    public var accumulationSteps: Int
    /// Truncated BPTT for ``StatefulSequenceModel`` models; `nil`: full BPTT.
    public var truncatedBPTT: TruncatedBPTT?
    /// When validation runs (only when a validation source is given).
    public var validationSchedule: ValidationSchedule
    /// Whether validation computes accuracy (predictions `[batch, classes]`, targets class
    /// indices `[batch]`).
    public var reportsAccuracy: Bool
    /// Early stopping on a validation metric.
    public var earlyStopping: EarlyStopping?
    /// Reduce-on-plateau on the validation loss: each reduction multiplies
    /// ``Trainer/learningRateScale``, so it composes with the optimizer's schedule.
    public var plateau: ReduceLROnPlateau?
    /// The rollback ring and retry budget.
    public var rollback: RollbackPolicy
    /// Conditions on validation metrics that end training (a target error rate, a divergence
    /// bound), checked at every validation.
    public var stopConditions: [StopCondition] = []
    /// Whether fit validates once more when it returns (unless it just did, or the weights are
    /// non-finite), so stop conditions, the best checkpoint and the log see the final model.
    public var validatesAtEnd = false
    /// The checkpoints fit writes by itself (none by default).
    public var checkpoints = CheckpointPolicy()
    /// The σ_max of each recurrent weight is re-estimated every this many steps (≥ 1) when a
    /// monitor needs `ObservationNeeds.recurrentDynamics`; in between the last value is reported.
    public var spectralNormInterval: Int
    /// Power iterations per estimate (the cached vector makes 1–2 enough after the first).
    public var powerIterations: Int

    /// A configuration; every default is the plain loop (no accumulation, full BPTT,
    /// per-epoch validation, no early stopping or plateau).
    public init(
        seed: UInt64 = 0, accumulationSteps: Int = 1, truncatedBPTT: TruncatedBPTT? = nil,
        validationSchedule: ValidationSchedule = .everyEpoch, reportsAccuracy: Bool = false,
        earlyStopping: EarlyStopping? = nil, plateau: ReduceLROnPlateau? = nil, rollback: RollbackPolicy = RollbackPolicy(),
        spectralNormInterval: Int = 10, powerIterations: Int = 2
    ) {
        precondition(accumulationSteps >= 1, "TrainerConfiguration: accumulationSteps \(accumulationSteps) must be ≥ 1")
        precondition(spectralNormInterval >= 1, "TrainerConfiguration: spectralNormInterval \(spectralNormInterval) must be ≥ 1")
        precondition(powerIterations >= 1, "TrainerConfiguration: powerIterations \(powerIterations) must be ≥ 1")
        if case .everySteps(let n) = validationSchedule {
            precondition(n >= 1, "TrainerConfiguration: validation every \(n) steps; must be ≥ 1")
        }
        self.seed = seed
        self.accumulationSteps = accumulationSteps
        self.truncatedBPTT = truncatedBPTT
        self.validationSchedule = validationSchedule
        self.reportsAccuracy = reportsAccuracy
        self.earlyStopping = earlyStopping
        self.plateau = plateau
        self.rollback = rollback
        self.spectralNormInterval = spectralNormInterval
        self.powerIterations = powerIterations
    }
}
