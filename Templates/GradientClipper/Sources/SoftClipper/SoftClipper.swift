import KeelCore
import KeelOptimizers

/// Scales the updates by c/max(c, ‖g‖₂): unchanged (bit for bit) while ‖g‖₂ ≤ c, rescaled to
/// norm c above it.
///
/// - Parameters:
///   - maxNorm: c > 0, the largest global L2 norm the output may have.
public struct SoftClipper<Scalar: TensorScalar>: ThresholdClipper {
    public typealias State = EmptyTransformState

    /// c, the largest norm the output may have.
    public var maxNorm: Double

    /// A clipper bounding the global L2 norm of the updates by `maxNorm`.
    ///
    /// - Precondition: `maxNorm` > 0.
    public init(maxNorm: Double) {
        precondition(maxNorm > 0, "SoftClipper: maxNorm must be > 0, got \(maxNorm)")
        self.maxNorm = maxNorm
    }

    public var threshold: Double {
        get { maxNorm }
        set { maxNorm = newValue }
    }

    public var guarantee: ClippingGuarantee { .globalNorm(max: maxNorm, norm: .l2) }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        let norm = updates.globalNorm(.l2)
        // Below the bound do nothing at all: multiplying by a rounded 1 is not an identity.
        let fires = norm > maxNorm
        let coefficient = fires ? maxNorm / norm : 1
        if fires { updates.scale(by: Scalar(coefficient)) }
        context.reports.append(
            .clip(ClipReport(
                transform: "SoftClipper", fired: fires, normBefore: norm, normAfter: fires ? maxNorm : norm,
                coefficient: coefficient, threshold: maxNorm)))
    }
}
