import KeelCore

/// A type-erased ``BatchSource`` so that every task and file loader trains through one code path.
public struct AnyBatchSource<Scalar: TensorScalar>: BatchSource {
    public let batchesPerEpoch: Int
    private let makeBatch: @Sendable (Int, Int) -> Batch<Scalar>

    public init<Source: BatchSource>(_ source: Source) where Source.Scalar == Scalar {
        batchesPerEpoch = source.batchesPerEpoch
        makeBatch = { source.batch(epoch: $0, index: $1) }
    }

    public func batch(epoch: Int, index: Int) -> Batch<Scalar> { makeBatch(epoch, index) }
}
