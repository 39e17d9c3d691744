/// A seeded generator of one of the standard long-range-dependency tasks, served as batches.
///
/// Conformers draw every batch from a fresh generator seeded by ``BatchSeed`` from
/// (``seed``, epoch, index), so any batch can be re-created on demand, in any order; there is
/// no finite data set, and "epoch" only scopes the stream. A held-out test set is the same
/// task with another seed.
///
/// **Shapes.** Inputs are `[time, batch, inputFeatures]`. Targets depend on ``target``:
/// `[batch, 1]` for regression, `[batch]` class indices (stored as `Scalar`) for a
/// classification at the last step, `[time, batch]` class indices for per-step classification.
public protocol SyntheticTask<Scalar>: BatchSource {
    /// The seed the batches derive from.
    var seed: UInt64 { get }
    /// Sequences per batch.
    var batchSize: Int { get }
    /// Features per time step of the input.
    var inputFeatures: Int { get }
    /// What the targets are and which loss they call for.
    var target: SyntheticTaskTarget { get }
    /// The loss of the trivial predictor named in the task's documentation: the number a model
    /// must beat to have learned anything (mean squared error or mean cross-entropy in nats).
    var baselineLoss: Double { get }
    /// How the task's papers judge one sequence wrong, for error rates on fresh test sequences.
    /// The default follows ``target`` (see the extension below); tasks with another published
    /// criterion override it.
    var errorCriterion: SequenceErrorCriterion { get }
}
