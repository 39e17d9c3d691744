/// One mini-batch: model inputs and the targets the loss compares predictions with.
///
/// **Shapes.** Whatever the model and loss agree on; typically `[time, batch, features]` inputs
/// for recurrent models, `[batch, 1]` regression targets, or class indices stored as `Scalar`
/// (`[time, batch]` for a character language model).
public struct Batch<Scalar: TensorScalar>: Sendable {
    /// The model's input.
    public var inputs: Tensor<Scalar>
    /// What the loss compares the model's output with.
    public var targets: Tensor<Scalar>

    /// A batch of `inputs` and the `targets` the loss compares the model's output with.
    public init(inputs: Tensor<Scalar>, targets: Tensor<Scalar>) {
        self.inputs = inputs
        self.targets = targets
    }
}

/// Where a trainer gets its batches: random access by (epoch, index), so a run is reproducible,
/// resumes exactly from a checkpoint's cursor, and can roll back and skip a batch without hidden
/// iterator state.
///
/// A source shuffles or generates deterministically from its own seed and the (epoch, index)
/// pair: asking twice for the same position gives the same batch.
public protocol BatchSource<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar

    /// Batches in one epoch.
    var batchesPerEpoch: Int { get }

    /// The batch at `index` (0 ..< batchesPerEpoch) of `epoch` (0-based).
    func batch(epoch: Int, index: Int) -> Batch<Scalar>
}
