/// The trainer-state file of a checkpoint (`trainer.json`): everything but the weights.
struct TrainerState<PipelineState: Codable & Sendable>: Codable, Sendable {
    var format = "keel-trainer-state"
    var version = 2
    var progress: TrainerProgress
    var pipelineState: PipelineState
    /// The monitor set, members by type tag (decoded with the registry in the decoder's userInfo).
    var monitors: MonitorSet
    var skippedBatches: [SkippedBatch]
    var rollbackCount: Int
    /// Rollbacks of the current incident and the step that failed (absent: none).
    var rollbacksInARow: Int?
    var rollbackIncidentStep: Int?
    var bufferKeys: [String]
}
