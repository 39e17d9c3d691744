/// Binary cross-entropy on logits, in the stable form of PyTorch's `BCEWithLogitsLoss`:
/// ℓᵢ = max(xᵢ, 0) − xᵢyᵢ + log(1 + e^(−|xᵢ|)), which equals −[y log σ(x) + (1 − y) log(1 − σ(x))]
/// without overflow; ∂ℓᵢ/∂xᵢ = σ(xᵢ) − yᵢ (divided by n for the mean).
///
/// **Shapes.** `predictions` (logits) and `targets` (probabilities in [0, 1]) have the same shape.
public struct BinaryCrossEntropy<Scalar: TensorScalar>: Loss {
    /// How per-element losses combine (mean or sum).
    public var reduction: LossReduction

    /// A loss with the given reduction.
    public init(reduction: LossReduction = .mean) { self.reduction = reduction }

    /// The reduced binary cross-entropy and ∂L/∂x = σ(x) − y (divided by n for the mean).
    ///
    /// - Precondition: `predictions.shape == targets.shape`.
    public func valueAndGradient(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) -> (value: Scalar, gradient: Tensor<Scalar>) {
        precondition(
            predictions.shape == targets.shape,
            "BinaryCrossEntropy: predictions shape \(predictions.shape) differs from targets shape \(targets.shape)")
        let losses = predictions.relu() - predictions * targets + (1 + (-predictions.abs()).exp()).log()
        let gradient = predictions.sigmoid() - targets
        switch reduction {
        case .mean:
            let count = Scalar(predictions.scalarCount)
            return (losses.sum() / count, gradient / count)
        case .sum:
            return (losses.sum(), gradient)
        }
    }
}
