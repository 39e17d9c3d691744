/// A scalar objective of a model's predictions and the targets, with its gradient with respect to
/// the predictions (the `outputGradient` that starts a backward pass).
public protocol Loss<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar

    /// The loss and ∂loss/∂predictions (the shape of `predictions`).
    func valueAndGradient(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) -> (value: Scalar, gradient: Tensor<Scalar>)
}

extension Loss {
    /// The loss alone.
    public func value(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) -> Scalar {
        valueAndGradient(predictions: predictions, targets: targets).value
    }

    /// ∂loss/∂predictions alone.
    public func gradient(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) -> Tensor<Scalar> {
        valueAndGradient(predictions: predictions, targets: targets).gradient
    }
}

/// How per-element losses combine into one number.
public enum LossReduction: Sendable, Hashable, Codable {
    /// The mean over the elements that count (non-ignored targets for cross-entropy).
    case mean
    /// The sum.
    case sum
}
