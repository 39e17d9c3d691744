/// A type-erased ``BatchSource`` so that every task and file loader trains through one code path.
public struct AnyBatchSource<Scalar: TensorScalar>: BatchSource {
    /// The wrapped source's number of batches per epoch.
    public let batchesPerEpoch: Int
    private let makeBatch: @Sendable (Int, Int) -> Batch<Scalar>

    /// A source that forwards every request to `source`.
    public init<Source: BatchSource>(_ source: Source) where Source.Scalar == Scalar {
        batchesPerEpoch = source.batchesPerEpoch
        makeBatch = { source.batch(epoch: $0, index: $1) }
    }

    public func batch(epoch: Int, index: Int) -> Batch<Scalar> { makeBatch(epoch, index) }
}
