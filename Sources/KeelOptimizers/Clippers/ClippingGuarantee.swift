/// The bound a clipper's output keeps, whatever its input: what a conformance suite checks on
/// adversarial samples.
///
/// Every bound holds up to the rounding of one multiplication in `Scalar` (a relative excess of a
/// few units in the last place), and only for inputs whose elements are finite unless the
/// clipper's non-finite policy says otherwise.
public enum ClippingGuarantee: Sendable, Hashable, Codable {
    /// ‖g‖ ≤ `max` for the whole set taken as one vector, in the norm `norm`.
    case globalNorm(max: Double, norm: VectorNorm)
    /// |gᵢ| ≤ `max` for every element.
    case elementwise(max: Double)
    /// ‖gₜ‖₂ ≤ `max` for every tensor t.
    case perTensorNorm(max: Double)
    /// RMS(gₜ) = ‖gₜ‖₂/√nₜ ≤ `max` for every tensor t.
    case perTensorRMS(max: Double)
    /// ‖Gᵢ‖₂ ≤ `clipping`·max(‖Wᵢ‖₂, `epsilon`) for every unit i of every clipped weight (AGC).
    case unitwiseRatio(clipping: Double, epsilon: Double)
    /// ‖g‖ ≤ the step's threshold (the report's `TransformReport.threshold`), in the norm
    /// `norm`, where the threshold adapts to the history of norms (AutoClip, ZClip).
    case adaptiveGlobalNorm(norm: VectorNorm)
    /// gᵢ² ≤ `theta`·Vᵢ for every element whose running second moment Vᵢ is positive (SPAM).
    case secondMomentRatio(theta: Double)
}
