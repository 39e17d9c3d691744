/// The processes that train one model together by data parallelism, as the ``Trainer`` sees them:
/// the trainer's hook for scale-out, with a one-process default (``SingleProcess``).
///
/// Every rank runs the same trainer on its own shard of each global batch. The trainer calls the
/// collective at four points, in the same order on every rank, so no rank ever waits for a call
/// another rank does not make:
/// 1. after backward, before statistics: ``averageGradients(_:loss:)`` makes the gradients and the
///    loss the mean over ranks (the gradient of the global batch), so statistics, monitors,
///    clipping (the global norm of the averaged gradient) and the optimizer see the same numbers
///    on every rank, and the same numbers as one process would;
/// 2. after the monitors: ``agree(on:)`` returns the verdict every rank applies (the most severe
///    one), so all ranks skip, roll back or stop the same step even if a monitor disagreed;
/// 3. at the start of each ``Trainer/fit(epochs:source:validation:maxSteps:)`` (after a resume
///    too) and after every rollback: ``broadcastFromRoot(_:)`` replaces the parameters and buffers
///    with rank 0's, so ranks never drift.
///
/// `KeelDistributed.DataParallel` implements it over MPI. Rank 0 alone should write logs and
/// checkpoints; a checkpoint holds nothing rank-specific, so it resumes on any number of ranks.
public protocol TrainingCollective: Sendable {
    /// This process's index in the group, 0 ..< ``size``.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }

    /// Replaces `gradients` and `loss` on every rank with their means over the ranks.
    func averageGradients<Scalar: TensorScalar>(_ gradients: inout ParameterSet<Scalar>, loss: inout Double) throws

    /// The verdict every rank applies: the most severe of the ranks' verdicts (a tie keeps the
    /// lowest rank's). Every rank must call it once per step.
    func agree(on verdict: MonitorVerdict) throws -> MonitorVerdict

    /// Replaces `tensors` on every rank with rank 0's (same keys and shapes on every rank).
    func broadcastFromRoot<Scalar: TensorScalar>(_ tensors: inout ParameterSet<Scalar>) throws
}

/// One process: every collective operation is the identity. The trainer's default.
public struct SingleProcess: TrainingCollective {
    /// One process.
    public init() {}
    /// Always 0.
    public var rank: Int { 0 }
    /// Always 1.
    public var size: Int { 1 }
    /// Leaves the gradients and the loss as they are.
    public func averageGradients<Scalar: TensorScalar>(_ gradients: inout ParameterSet<Scalar>, loss: inout Double) {}
    /// Returns `verdict`.
    public func agree(on verdict: MonitorVerdict) -> MonitorVerdict { verdict }
    /// Leaves the tensors as they are.
    public func broadcastFromRoot<Scalar: TensorScalar>(_ tensors: inout ParameterSet<Scalar>) {}
}

extension Trainer {
    /// Replaces the parameters and buffers with rank 0's (nothing in one process).
    mutating func synchronizeWithRoot() throws {
        guard collective.size > 1 else { return }
        var parameters = model.parameters
        try collective.broadcastFromRoot(&parameters)
        try model.loadParameters(parameters)
        var buffers = buffers()
        guard !buffers.isEmpty, let container = model as? any BufferContainer<Scalar> else { return }
        try collective.broadcastFromRoot(&buffers)
        model = try Self.loadingBuffers(container, buffers) as! Model
    }
}
