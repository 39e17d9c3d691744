/// A zero-filled `[time, batch, features]` input buffer and its targets, written one element at a
/// time while a task draws a batch, then turned into tensors.
struct SequenceBuffer {
    let time: Int
    let batch: Int
    let features: Int
    var inputs: [Double]
    var targets: [Double]

    init(time: Int, batch: Int, features: Int, targetCount: Int) {
        self.time = time
        self.batch = batch
        self.features = features
        inputs = Array(repeating: 0, count: time * batch * features)
        targets = Array(repeating: 0, count: targetCount)
    }

    /// Writes `value` at (t, b, feature).
    mutating func set(_ t: Int, _ b: Int, _ feature: Int, _ value: Double) {
        inputs[(t * batch + b) * features + feature] = value
    }

    /// Sets the one-hot input at (t, b) to `symbol`.
    mutating func setOneHot(_ t: Int, _ b: Int, symbol: Int) {
        inputs[(t * batch + b) * features + symbol] = 1
    }

    func makeBatch<Scalar: TensorScalar>(targetShape: [Int]) -> Batch<Scalar> {
        Batch(
            inputs: Tensor(shape: [time, batch, features], scalars: inputs.map { Scalar($0) }),
            targets: Tensor(shape: targetShape, scalars: targets.map { Scalar($0) }))
    }
}
