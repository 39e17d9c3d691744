/// The squared error: L = (1/n)Σ(pᵢ − tᵢ)² (mean) or Σ(pᵢ − tᵢ)² (sum); ∂L/∂p = 2(p − t)/n or
/// 2(p − t). PyTorch's `MSELoss`.
///
/// **Shapes.** `predictions` and `targets` have the same shape; n is its element count.
public struct MeanSquaredError<Scalar: TensorScalar>: Loss {
    /// How per-element losses combine (mean or sum).
    public var reduction: LossReduction

    /// A loss with the given reduction.
    public init(reduction: LossReduction = .mean) { self.reduction = reduction }

    /// The reduced squared error and ∂L/∂p: 2(p − t)/n for the mean, 2(p − t) for the sum.
    ///
    /// - Precondition: `predictions.shape == targets.shape`.
    public func valueAndGradient(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) -> (value: Scalar, gradient: Tensor<Scalar>) {
        precondition(
            predictions.shape == targets.shape,
            "MeanSquaredError: predictions shape \(predictions.shape) differs from targets shape \(targets.shape)")
        let difference = predictions - targets
        let total = Scalar(difference.sumOfSquares())
        switch reduction {
        case .mean:
            let count = Scalar(predictions.scalarCount)
            return (total / count, difference * (2 / count))
        case .sum:
            return (total, difference * 2)
        }
    }
}
