/// How the trainer answers `MonitorVerdict.rollback(reason:)`: a ring of in-memory snapshots,
/// and what to change on the way back.
///
/// At the start of every `snapshotInterval`-th step the trainer keeps a snapshot (model
/// parameters and buffers, gradient-pipeline state, monitors, random generator, data cursor,
/// learning-rate scale, plateau and early-stopping state), once that step's observation passed
/// the monitors (no verdict, finite loss and gradients): a state an explosion already damaged is
/// never kept. Tensors are copy-on-write, so a snapshot costs
/// references until the next update writes. On a rollback verdict the trainer restores the newest
/// snapshot, adds the offending batch(es) to ``Trainer/skippedBatches``, optionally re-makes the
/// pipeline state (resetting optimizer moments, as SPAM does) and multiplies the learning-rate
/// scale by `learningRateBackoff` (by default it halves, compounding over retries: the scale
/// is kept from before the restore), then replays the data from the snapshot's cursor. After
/// `maxRollbacks` rollbacks in a row (without training getting past the step that failed: the
/// budget is per incident, so a long run survives many separate spikes), the next rollback
/// verdict restores the newest snapshot once more (so the trainer holds the last state that
/// passed the monitors) and stops training with ``StopReason/rollbackBudgetExhausted(reason:)``.
public struct RollbackPolicy: Codable, Hashable, Sendable {
    /// K: how many snapshots the ring keeps (≥ 1).
    public var capacity: Int
    /// N: a snapshot is kept of the state at the start of every N-th step that passes the
    /// monitors (≥ 1), and of the state before the first step.
    public var snapshotInterval: Int
    /// The retry budget: rollbacks allowed in a row (until training gets past the step that
    /// failed) before training stops.
    public var maxRollbacks: Int
    /// Whether a rollback re-makes the pipeline state (optimizer moments, clipper history).
    public var resetsPipelineState: Bool
    /// The factor applied to ``Trainer/learningRateScale`` at each rollback (default 0.5; 1:
    /// unchanged, which replays the same trajectory into the same explosion unless the skipped
    /// batch alone caused it).
    public var learningRateBackoff: Double
    /// How many batches before the offending one are skipped too (0: only the batch of the
    /// verdict); PaLM skipped a few hundred around each spike.
    public var precedingBatchesSkipped: Int

    /// A policy; the defaults keep 3 snapshots, one every 10 steps, allow 5 rollbacks and halve
    /// the learning rate at each.
    public init(
        capacity: Int = 3, snapshotInterval: Int = 10, maxRollbacks: Int = 5, resetsPipelineState: Bool = false,
        learningRateBackoff: Double = 0.5, precedingBatchesSkipped: Int = 0
    ) {
        precondition(capacity >= 1, "RollbackPolicy: capacity \(capacity) must be ≥ 1")
        precondition(snapshotInterval >= 1, "RollbackPolicy: snapshotInterval \(snapshotInterval) must be ≥ 1")
        precondition(maxRollbacks >= 0, "RollbackPolicy: maxRollbacks \(maxRollbacks) must be ≥ 0")
        precondition(learningRateBackoff > 0 && learningRateBackoff <= 1, "RollbackPolicy: learningRateBackoff \(learningRateBackoff) must be in (0, 1]")
        precondition(precedingBatchesSkipped >= 0, "RollbackPolicy: precedingBatchesSkipped \(precedingBatchesSkipped) must be ≥ 0")
        self.capacity = capacity
        self.snapshotInterval = snapshotInterval
        self.maxRollbacks = maxRollbacks
        self.resetsPipelineState = resetsPipelineState
        self.learningRateBackoff = learningRateBackoff
        self.precedingBatchesSkipped = precedingBatchesSkipped
    }
}
