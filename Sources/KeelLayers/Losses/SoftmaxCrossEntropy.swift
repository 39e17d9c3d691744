/// Softmax cross-entropy from logits and class indices, as PyTorch's `CrossEntropyLoss`.
///
/// **Shapes.** `predictions` (logits) `[batch, classes]`, or `[time, batch, classes]` for one
/// classification per time step; `targets` the logits' shape without the class axis
/// (`[batch]`, `[time, batch]`), holding class indices as whole numbers.
///
/// Per row: ℓ = −log softmax(x)_t = log Σⱼ e^(xⱼ − m) − (x_t − m), m = max x (stable);
/// ∂ℓ/∂x = softmax(x) − onehot(t). Rows whose target equals `ignoreIndex` contribute neither loss
/// nor gradient, and the mean divides by the number of rows that count (PyTorch: the mean of an
/// all-ignored batch is 0/0 = NaN; Keel returns NaN with an all-zero gradient).
public struct SoftmaxCrossEntropy<Scalar: TensorScalar>: Loss {
    /// How per-element losses combine (mean or sum).
    public var reduction: LossReduction
    /// A target value that marks a row to skip (padding), or `nil`.
    public var ignoreIndex: Int?

    /// A loss with the given reduction and optional ignored target value.
    public init(reduction: LossReduction = .mean, ignoreIndex: Int? = nil) {
        self.reduction = reduction
        self.ignoreIndex = ignoreIndex
    }

    /// The reduced cross-entropy and ∂loss/∂logits, softmax(x) − onehot(t) per counted row (divided
    /// by the number of counted rows for the mean).
    ///
    /// - Precondition: `predictions` has a class axis (rank ≥ 2) and `targets.shape` is its shape
    ///   without that axis.
    public func valueAndGradient(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) -> (value: Scalar, gradient: Tensor<Scalar>) {
        precondition(predictions.rank >= 2, "SoftmaxCrossEntropy: logits shape \(predictions.shape) needs a class axis ([batch, classes] or [time, batch, classes])")
        let classes = predictions.shape[predictions.rank - 1]
        precondition(
            targets.shape == Array(predictions.shape.dropLast()),
            "SoftmaxCrossEntropy: targets shape \(targets.shape) must be the logits shape \(predictions.shape) without the class axis")
        let logits = predictions.reshaped(to: [-1, classes])
        let rowCount = logits.shape[0]
        // Validate the targets here (the message names the row); the fused kernel does the rest:
        // max shift, exp, log-sum-exp and softmax − one-hot, threaded over rows.
        var rowTargets = [Int](repeating: -1, count: rowCount)
        var counted = 0
        targets.withUnsafeBufferPointer { values in
            for row in 0..<rowCount {
                let value = values[row]
                if let ignoreIndex, value == Scalar(ignoreIndex) { continue }
                guard value >= 0 && value < Scalar(classes) && value.rounded() == value else {
                    preconditionFailure("SoftmaxCrossEntropy: target \(value) at row \(row) is not a class index in 0..<\(classes)")
                }
                rowTargets[row] = Int(value)
                counted += 1
            }
        }
        if counted == 0 && reduction == .mean {
            return (.nan, .zeros(predictions.shape))
        }
        let scale: Scalar = reduction == .mean ? 1 / Scalar(counted) : 1
        var total = 0.0
        let gradient = Tensor<Scalar>(shape: [rowCount, classes]) { out in
            logits.withUnsafeBufferPointer { x in
                rowTargets.withUnsafeBufferPointer { t in
                    total = Kernels.softmaxCrossEntropy(
                        rows: rowCount, classes: classes, logits: x.baseAddress!, targets: t.baseAddress!, scale: scale,
                        gradient: out.baseAddress!)
                }
            }
        }
        return (Scalar(total) * scale, gradient.reshaped(to: predictions.shape))
    }

    /// Σ over rows of −log softmax(logits)_t, accumulated in `Double` (for perplexity and bits per
    /// character over a long stream, where a `Scalar` mean would lose digits). `targets` holds one
    /// class index per row of `predictions` reshaped to `[rows, classes]`; a target equal to
    /// ``ignoreIndex`` adds nothing.
    ///
    /// - Precondition: every other target lies in `0 ..< classes`.
    public func summedLoss(predictions: Tensor<Scalar>, targets: [Int]) -> Double {
        precondition(predictions.rank >= 2, "SoftmaxCrossEntropy.summedLoss: logits shape \(predictions.shape) needs a class axis")
        let classes = predictions.shape[predictions.rank - 1]
        let rows = predictions.scalarCount / max(classes, 1)
        precondition(targets.count == rows, "SoftmaxCrossEntropy.summedLoss: \(targets.count) targets for \(rows) rows")
        let rowTargets = targets.enumerated().map { row, target in
            if let ignoreIndex, target == ignoreIndex { return -1 }
            precondition(target >= 0 && target < classes, "SoftmaxCrossEntropy.summedLoss: target \(target) at row \(row) is not a class index in 0..<\(classes)")
            return target
        }
        var total = 0.0
        _ = Tensor<Scalar>(shape: [rows, classes]) { scratch in
            predictions.withUnsafeBufferPointer { x in
                rowTargets.withUnsafeBufferPointer { t in
                    total = Kernels.softmaxCrossEntropy(
                        rows: rows, classes: classes, logits: x.baseAddress!, targets: t.baseAddress!, scale: 1, gradient: scratch.baseAddress!)
                }
            }
        }
        return total
    }
}
