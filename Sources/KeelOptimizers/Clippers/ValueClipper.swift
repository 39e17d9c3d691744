/// Clips every element of every update into [−c, c]: gᵢ ← min(max(gᵢ, −c), c).
///
/// A tensor whose largest magnitude is at most c is not touched (one read pass to find out); a
/// tensor with a larger element is clamped in one more pass. ±∞ becomes ±c; NaN stays NaN.
/// Clipping by value changes the direction of the update; prefer ``GlobalNormClipper`` unless
/// single elements are the problem.
///
/// - Parameter maxValue: c ≥ 0.
///
/// ## References
/// - PyTorch `torch.nn.utils.clip_grad_value_`; Optax `clip`; Keras `clipvalue`.
public struct ValueClipper<Scalar: TensorScalar>: PerTensorClipper {
    public typealias State = EmptyTransformState

    /// c, the largest magnitude an element may have.
    public var maxValue: Double

    /// A clipper bounding every element's magnitude by `maxValue`.
    ///
    /// - Precondition: `maxValue` ≥ 0.
    public init(maxValue: Double) {
        precondition(maxValue >= 0, "ValueClipper: maxValue must be >= 0, got \(maxValue)")
        self.maxValue = maxValue
    }

    public var threshold: Double {
        get { maxValue }
        set { maxValue = newValue }
    }

    public var guarantee: ClippingGuarantee { .elementwise(max: maxValue) }

    static var reportName: String { "ValueClipper" }
    static var norm: VectorNorm { .infinity }
    static var clipsUnmeasured: Bool { true }
    static var clippedDetail: String { "tensors clamped (norms are L∞)" }

    /// Clamps every element of `tensor` into [−c, c]; NaN elements stay NaN.
    func clip(_ tensor: inout Tensor<Scalar>, norm: Double) {
        tensor = tensor.clamped(lower: -Scalar(maxValue), upper: Scalar(maxValue))
    }
}
