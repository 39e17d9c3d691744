import Foundation
import KeelCore
import KeelTrainer

/// Data-parallel training over MPI: the `TrainingCollective` that makes N processes train one
/// model as one process would with the same global batch.
///
/// Give it to a trainer and feed each rank its shard of every batch (``ShardedBatchSource``):
///
/// ```swift
/// let world = try Communicator.world()                        // under mpirun -np N
/// var trainer = Trainer(model: model, loss: MeanSquaredError<Float>(),
///                       pipeline: Chain { GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 3e-3) },
///                       monitors: .standard, sinks: world.rank == 0 ? [log] : [])
/// trainer.collective = DataParallel(world)
/// try trainer.fit(epochs: 1, source: try ShardedBatchSource(data, communicator: world))
/// ```
///
/// - Gradients: ``GradientAllReduce`` (flat 25 MB buckets) averages them after backward and
///   **before** the step's statistics, monitors and pipeline, so the global-norm clipper and every
///   monitor see the gradient of the global batch on every rank; one extra `Double` all-reduce
///   averages the loss.
/// - Verdicts: ``agree(on:)`` all-reduces the verdicts' severity (one small all-reduce per step);
///   when ranks disagree, the lowest rank with the most severe verdict broadcasts it, so every
///   rank skips, rolls back or stops the same step and no rank waits for another.
/// - Parameters and buffers: broadcast from rank 0 at each `fit` (after a resume too) and after
///   every rollback.
///
/// Keel's randomness (dropout) comes from the trainer's seeded generator, the same on every rank:
/// ranks draw the same masks for their shards, so a run with dropout does not reproduce the
/// one-process run exactly (everything else does, up to floating-point summation order).
public struct DataParallel: TrainingCollective {
    /// The ranks that train together.
    public let communicator: Communicator
    /// The gradient reduction's bucket size in bytes.
    public let bucketBytes: Int
    /// The reduction's staging buffer, shared by every scalar type (reused across steps).
    private let bucket = ReductionBucket()

    /// Data parallelism over `communicator`'s ranks, reducing gradients in buckets of `bucketBytes`.
    public init(_ communicator: Communicator, bucketBytes: Int = 25 * 1024 * 1024) {
        self.communicator = communicator
        self.bucketBytes = bucketBytes
    }

    public var rank: Int { communicator.rank }
    public var size: Int { communicator.size }

    public func averageGradients<Scalar: TensorScalar>(_ gradients: inout ParameterSet<Scalar>, loss: inout Double) throws {
        guard size > 1 else { return }
        try GradientAllReduce<Scalar>(communicator: communicator, bucketBytes: bucketBytes, bucket: bucket).average(&gradients)
        loss = try communicator.allReduce(loss, .mean)
    }

    public func agree(on verdict: MonitorVerdict) throws -> MonitorVerdict {
        guard size > 1 else { return verdict }
        let severity = Double(verdict.severity)
        var bounds = [severity, -severity]
        try communicator.allReduce(&bounds, .max)
        let (highest, lowest) = (bounds[0], -bounds[1])
        if highest == lowest { return verdict }
        let source = Int(try communicator.allReduce(severity == highest ? Double(rank) : Double(size), .min))
        let encoded = try communicator.broadcast(rank == source ? JSONEncoder().encode(verdict).map { $0 } : [], from: source)
        let agreed = try JSONDecoder().decode(MonitorVerdict.self, from: Data(encoded))
        return rank == source ? agreed : Self.attributed(agreed, to: source)
    }

    public func broadcastFromRoot<Scalar: TensorScalar>(_ tensors: inout ParameterSet<Scalar>) throws {
        guard size > 1 else { return }
        for index in 0..<tensors.count {
            try tensors.withTensor(at: index) { tensor in
                try tensor.withUnsafeMutableBufferPointer { try communicator.broadcast(UnsafeMutableRawBufferPointer($0), from: 0) }
            }
        }
    }

    /// `verdict` with "rank R: " before its reason: another rank's decision, applied here.
    static func attributed(_ verdict: MonitorVerdict, to source: Int) -> MonitorVerdict {
        let prefix = "rank \(source): "
        switch verdict {
        case .proceed: return verdict
        case .skipUpdate(let reason): return .skipUpdate(reason: prefix + reason)
        case .scaleLearningRate(let factor, let reason): return .scaleLearningRate(factor: factor, reason: prefix + reason)
        case .rollback(let reason): return .rollback(reason: prefix + reason)
        case .stop(let reason): return .stop(reason: prefix + reason)
        }
    }
}
