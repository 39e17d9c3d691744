// KeelOptimizers: the gradient pipeline (transform algebra, wrappers, clippers, regularizers,
// optimizers and schedules).
@_exported import KeelCore
