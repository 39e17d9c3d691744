/// The trainer-state file of a checkpoint (`trainer.json`): everything but the weights.
struct TrainerState<PipelineState: Codable & Sendable>: Codable, Sendable {
    struct MonitorRecord: Codable, Sendable {
        var name: String
        var state: String
    }

    var format = "keel-trainer-state"
    var version = 1
    var progress: TrainerProgress
    var pipelineState: PipelineState
    var monitors: [MonitorRecord]
    var skippedBatches: [SkippedBatch]
    var rollbackCount: Int
    var bufferKeys: [String]
}
