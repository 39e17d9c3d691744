// KeelTrainer: the training pipeline (forward, loss, backward, statistics, monitors, gradient
// pipeline, update, events), truncated BPTT, accumulation, checkpoints and rollback.
@_exported import KeelCore
@_exported import KeelLayers
@_exported import KeelMonitors
@_exported import KeelOptimizers
