/// Clips each tensor's root mean square: gₜ ← gₜ/max(1, RMS(gₜ)/c) with RMS(gₜ) = ‖gₜ‖₂/√nₜ.
///
/// A tensor whose RMS is at most c is left unchanged, bit for bit. Unlike ``NormClipper`` the
/// bound does not grow with the tensor's size. A tensor with a non-finite RMS is left as is.
///
/// - Parameter threshold: c ≥ 0, the largest RMS each tensor may have.
///
/// ## References
/// - Optax `clip_by_block_rms` (`optax/transforms/_clipping.py`).
public struct BlockRMSClipper<Scalar: TensorScalar>: ThresholdClipper {
    public typealias State = EmptyTransformState

    /// c, the largest root mean square each tensor may have.
    public var threshold: Double

    /// A clipper bounding each tensor's RMS by `threshold`.
    ///
    /// - Precondition: `threshold` ≥ 0.
    public init(threshold: Double) {
        precondition(threshold >= 0, "BlockRMSClipper: threshold must be >= 0, got \(threshold)")
        self.threshold = threshold
    }

    public var guarantee: ClippingGuarantee { .perTensorRMS(max: threshold) }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        var squaresBefore = 0.0
        var squaresAfter = 0.0
        var clippedTensors = 0
        for index in updates.indices {
            let count = updates[index].scalarCount
            let squares = updates[index].sumOfSquares()
            squaresBefore += squares
            let rms = count == 0 ? 0 : (squares / Double(count)).squareRoot()
            if rms > threshold {
                let coefficient = threshold / rms
                updates.withTensor(at: index) { $0 *= Scalar(coefficient) }
                clippedTensors += 1
                squaresAfter += squares * coefficient * coefficient
            } else {
                squaresAfter += squares
            }
        }
        context.reports.append(
            .clip(ClipReport(
                transform: "BlockRMSClipper", fired: clippedTensors > 0, normBefore: squaresBefore.squareRoot(),
                normAfter: squaresAfter.squareRoot(), coefficient: nil, threshold: threshold,
                detail: clippedTensors > 0 ? "\(clippedTensors) tensors clipped (norms are global L2)" : nil)))
    }
}
