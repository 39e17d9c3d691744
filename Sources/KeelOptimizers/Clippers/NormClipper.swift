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
public struct NormClipper<Scalar: TensorScalar>: ThresholdClipper {
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

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        var squaresBefore = 0.0
        var squaresAfter = 0.0
        var clippedTensors = 0
        for index in updates.indices {
            let norm = updates[index].norm(.l2)
            squaresBefore += norm * norm
            if norm > maxNorm {
                updates.withTensor(at: index) { $0 *= Scalar(maxNorm / norm) }
                clippedTensors += 1
                squaresAfter += maxNorm * maxNorm
            } else {
                squaresAfter += norm * norm
            }
        }
        context.reports.append(
            .clip(ClipReport(
                transform: "NormClipper", fired: clippedTensors > 0, normBefore: squaresBefore.squareRoot(),
                normAfter: squaresAfter.squareRoot(), coefficient: nil, threshold: maxNorm,
                detail: clippedTensors > 0 ? "\(clippedTensors) tensors clipped" : nil)))
    }
}
