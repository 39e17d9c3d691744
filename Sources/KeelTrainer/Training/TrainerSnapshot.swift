/// One entry of the rollback ring: copies of everything a rollback restores. Tensors are
/// copy-on-write, so a snapshot holds references until the next update writes.
struct TrainerSnapshot<Model: Sendable, PipelineState: Sendable>: Sendable {
    var model: Model
    var pipelineState: PipelineState
    var monitors: MonitorSet
    var progress: TrainerProgress
}
