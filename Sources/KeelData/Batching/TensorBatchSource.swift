/// Mini-batches of in-memory tensors: examples along the first axis, shuffled per epoch.
///
/// `inputs` is `[N, …]` and `targets` `[N, …]`: row i of each is example i. An epoch visits the
/// examples in the order of an ``EpochOrder`` (a seeded Fisher–Yates permutation per epoch, or
/// 0 ..< N without a seed), `batchSize` at a time; `dropLast` leaves out an incomplete final batch.
/// Batches are random access: (epoch, index) always gives the same examples.
///
/// **Shapes.** Batch inputs `[b, …]` and targets `[b, …]` (b = `batchSize`, or fewer in a final
/// batch kept without `dropLast`), batch-major as stored. Sequence models that want
/// `[time, batch, features]` can swap the first two axes (`Tensor.swappingAxes(_:_:)`), or use
/// `timeMajor: true`, which does so for rank ≥ 3 inputs.
///
/// ```swift
/// let x = try NPYArray(contentsOf: inputsURL).tensor(of: Float.self)   // [N, T, F]
/// let y = try NPYArray(contentsOf: targetsURL).tensor(of: Float.self)  // [N, 1]
/// let source = try TensorBatchSource(inputs: x, targets: y, batchSize: 32, shuffleSeed: 1, timeMajor: true)
/// ```
public struct TensorBatchSource<Scalar: TensorScalar>: BatchSource {
    /// All inputs, `[N, …]`.
    public let inputs: Tensor<Scalar>
    /// All targets, `[N, …]`.
    public let targets: Tensor<Scalar>
    /// Whether rank ≥ 3 batch inputs are returned `[time, batch, …]` instead of `[batch, time, …]`.
    public let timeMajor: Bool
    /// Examples per batch and the per-epoch order.
    public let order: EpochOrder

    /// - Throws: ``DataConfigurationError`` if the inputs and targets disagree on N, either is
    ///   rank 0, N is 0, or `batchSize` is invalid.
    public init(
        inputs: Tensor<Scalar>, targets: Tensor<Scalar>, batchSize: Int, shuffleSeed: UInt64? = nil,
        dropLast: Bool = false, timeMajor: Bool = false
    ) throws {
        guard inputs.rank >= 1 && targets.rank >= 1 else {
            throw DataConfigurationError(parameter: "inputs", reason: "inputs \(inputs.shape) and targets \(targets.shape) need an example axis")
        }
        guard inputs.shape[0] == targets.shape[0] else {
            throw DataConfigurationError(
                parameter: "targets", reason: "inputs \(inputs.shape) and targets \(targets.shape) differ in the number of examples")
        }
        self.inputs = inputs
        self.targets = targets
        self.timeMajor = timeMajor
        order = try EpochOrder(exampleCount: inputs.shape[0], batchSize: batchSize, shuffleSeed: shuffleSeed, dropLast: dropLast)
    }

    public var batchesPerEpoch: Int { order.batchesPerEpoch }

    /// The batch at (`epoch`, `index`).
    public func batch(epoch: Int, index: Int) -> Batch<Scalar> {
        let rows = Array(order.exampleIndices(epoch: epoch, index: index))
        var batchInputs = Self.gather(inputs, rows: rows)
        if timeMajor && batchInputs.rank >= 3 { batchInputs = batchInputs.swappingAxes(0, 1) }
        return Batch(inputs: batchInputs, targets: Self.gather(targets, rows: rows))
    }

    /// Rows `rows` of `tensor`, stacked along a new first axis.
    static func gather(_ tensor: Tensor<Scalar>, rows: [Int]) -> Tensor<Scalar> {
        let rowSize = tensor.shape.dropFirst().reduce(1, *)
        var shape = tensor.shape
        shape[0] = rows.count
        return tensor.withUnsafeBufferPointer { source in
            Tensor(shape: shape) { destination in
                guard rowSize > 0 else { return }
                for (position, row) in rows.enumerated() {
                    let from = source.baseAddress! + row * rowSize
                    (destination.baseAddress! + position * rowSize).initialize(from: from, count: rowSize)
                }
            }
        }
    }
}
