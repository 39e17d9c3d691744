import KeelCore

/// One rank's shard of every batch of a source: rows [r·B/N, (r+1)·B/N) of the batch axis, for
/// rank r of N and global batch size B. All ranks read the same global batch order, so N ranks
/// together see exactly the batches one process would.
///
/// **Shapes.** The batch axis is `inputAxis` of the inputs and `targetAxis` of the targets:
/// 1 for time-major sequences (`[time, batch, features]`, index sequences `[time, batch]`, per-step
/// targets `[time, batch, …]`), 0 for `[batch, …]` tensors such as last-step targets `[batch, outputs]`.
/// Per-shard state is per row, so truncated BPTT and stateful training work per shard unchanged.
public struct ShardedBatchSource<Base: BatchSource>: BatchSource {
    public typealias Scalar = Base.Scalar

    /// The whole-batch source every rank reads.
    public let base: Base
    /// This shard's index, 0 ..< ``shards``.
    public let shard: Int
    /// The number of shards (ranks).
    public let shards: Int
    /// The batch axis of the inputs.
    public let inputAxis: Int
    /// The batch axis of the targets.
    public let targetAxis: Int

    /// Shard `shard` of `shards` of every batch of `base`.
    ///
    /// - Throws: ``DistributedError/batchNotDivisible(batchSize:ranks:)`` when the first batch's
    ///   size along the batch axis is not a multiple of `shards`.
    public init(_ base: Base, shard: Int, of shards: Int, inputAxis: Int = 1, targetAxis: Int = 0) throws {
        precondition(shards >= 1 && (0..<shards).contains(shard), "ShardedBatchSource: shard \(shard) of \(shards)")
        self.base = base
        self.shard = shard
        self.shards = shards
        self.inputAxis = inputAxis
        self.targetAxis = targetAxis
        guard shards > 1, base.batchesPerEpoch > 0 else { return }
        let sample = base.batch(epoch: 0, index: 0)
        let inputRows = sample.inputs.shape[inputAxis], targetRows = sample.targets.shape[targetAxis]
        precondition(inputRows == targetRows, "ShardedBatchSource: inputs have \(inputRows) rows on axis \(inputAxis), targets \(targetRows) on axis \(targetAxis)")
        guard inputRows % shards == 0 else { throw DistributedError.batchNotDivisible(batchSize: inputRows, ranks: shards) }
    }

    /// This rank's shard of every batch of `base` (rank and size of `communicator`).
    public init(_ base: Base, communicator: Communicator, inputAxis: Int = 1, targetAxis: Int = 0) throws {
        try self.init(base, shard: communicator.rank, of: communicator.size, inputAxis: inputAxis, targetAxis: targetAxis)
    }

    public var batchesPerEpoch: Int { base.batchesPerEpoch }

    public func batch(epoch: Int, index: Int) -> Batch<Scalar> {
        let batch = base.batch(epoch: epoch, index: index)
        guard shards > 1 else { return batch }
        return Batch(inputs: rows(of: batch.inputs, axis: inputAxis), targets: rows(of: batch.targets, axis: targetAxis))
    }

    private func rows(of tensor: Tensor<Scalar>, axis: Int) -> Tensor<Scalar> {
        let rows = tensor.shape[axis]
        precondition(rows % shards == 0, "ShardedBatchSource: a batch of \(rows) rows does not split into \(shards) shards")
        let size = rows / shards
        return tensor.slice(shard * size..<(shard + 1) * size, alongAxis: axis)
    }
}
