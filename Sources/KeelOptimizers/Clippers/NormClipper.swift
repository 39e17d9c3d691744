/// Clips each tensor's L2 norm separately: gₜ ← gₜ·(c/‖gₜ‖) when ‖gₜ‖ > c, otherwise gₜ unchanged.
///
/// This is Keras's `clipnorm` (per variable), not the global clipping of ``GlobalNormClipper``:
/// each tensor's direction is kept but the relative sizes of tensors change. A tensor with a
/// non-finite norm is left as is (see ``ZeroNonFinite`` and ``ApplyIfFinite``).
///
/// The report gives the global L2 norm before and after (√Σₜ‖gₜ‖²) and counts the clipped
/// tensors in its detail; there is no single coefficient.
///
/// - Parameter maxNorm: c ≥ 0.
///
/// ## References
/// - Keras `Optimizer(clipnorm=)`; Pascanu et al. 2013 (arXiv:1211.5063) applied per tensor.
public struct NormClipper<Scalar: TensorScalar>: PerTensorClipper {
    public typealias State = EmptyTransformState

    /// c, the largest L2 norm each tensor may have.
    public var maxNorm: Double

    /// A clipper bounding each tensor's L2 norm by `maxNorm`.
    ///
    /// - Precondition: `maxNorm` ≥ 0.
    public init(maxNorm: Double) {
        precondition(maxNorm >= 0, "NormClipper: maxNorm must be >= 0, got \(maxNorm)")
        self.maxNorm = maxNorm
    }

    public var threshold: Double {
        get { maxNorm }
        set { maxNorm = newValue }
    }

    public var guarantee: ClippingGuarantee { .perTensorNorm(max: maxNorm) }

    static var reportName: String { "NormClipper" }
    static var norm: VectorNorm { .l2 }
    static var clipsUnmeasured: Bool { false }
    static var clippedDetail: String { "tensors clipped" }

    /// Rescales `tensor` by c/‖gₜ‖.
    func clip(_ tensor: inout Tensor<Scalar>, norm: Double) { tensor *= Scalar(maxNorm / norm) }
}
