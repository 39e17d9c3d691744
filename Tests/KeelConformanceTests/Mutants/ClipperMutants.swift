import KeelConformance

// Deliberately broken clippers: each declares ‖g‖₂ ≤ maxNorm and breaks one GradientClipperLaw.

/// Shared by the mutants: the correct rule, g·c/‖g‖ above c.
func correctlyClipped(_ updates: ParameterSet<Float>, maxNorm: Double) -> ParameterSet<Float> {
    let norm = updates.globalNorm(.l2)
    return norm > maxNorm ? updates.scaled(by: Float(maxNorm / norm)) : updates
}

/// Breaks identityBelowBound: multiplies by 0.999 below the bound.
struct AlwaysScalingClipper: GradientClipper {
    typealias Scalar = Float
    var maxNorm = 1.0
    var guarantee: ClippingGuarantee { .globalNorm(max: maxNorm, norm: .l2) }
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        updates = updates.globalNorm(.l2) > maxNorm ? correctlyClipped(updates, maxNorm: maxNorm) : updates.scaled(by: 0.999)
    }
}

/// Breaks guaranteeHolds: clips to twice the declared bound.
struct LeakyClipper: GradientClipper {
    typealias Scalar = Float
    var maxNorm = 1.0
    var guarantee: ClippingGuarantee { .globalNorm(max: maxNorm, norm: .l2) }
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        updates = correctlyClipped(updates, maxNorm: 2 * maxNorm)
    }
}

/// Breaks idempotent: PyTorch-style ε in the coefficient above half the bound, so clipping the
/// output shrinks it again.
struct EpsilonClipper: GradientClipper {
    typealias Scalar = Float
    var maxNorm = 1.0
    var guarantee: ClippingGuarantee { .globalNorm(max: maxNorm, norm: .l2) }
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        let norm = updates.globalNorm(.l2)
        guard norm > maxNorm / 2 else { return }
        updates.scale(by: Float(min(1, maxNorm / (norm + 0.1 * maxNorm))))
    }
}

/// Breaks preservesDirection: declares a global norm but clips each tensor separately.
struct PerTensorPretendingGlobalClipper: GradientClipper {
    typealias Scalar = Float
    var maxNorm = 1.0
    var guarantee: ClippingGuarantee { .globalNorm(max: maxNorm, norm: .l2) }
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        let share = maxNorm / Double(updates.count).squareRoot()
        updates = updates.map { tensor in
            let norm = tensor.sumOfSquares().squareRoot()
            return norm > share ? tensor * Float(share / norm) : tensor
        }
    }
}

/// Breaks zeroStaysZero: multiplies by ‖g‖/‖g‖ below the bound, 0/0 = NaN for a zero gradient.
struct NaNOnZeroClipper: GradientClipper {
    typealias Scalar = Float
    var maxNorm = 1.0
    var guarantee: ClippingGuarantee { .globalNorm(max: maxNorm, norm: .l2) }
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        let norm = updates.globalNorm(.l2)
        updates = norm > maxNorm ? correctlyClipped(updates, maxNorm: maxNorm) : updates.scaled(by: Float(norm / norm))
    }
}

/// Breaks readsCurrentGradients: measures the norm once and reuses it forever.
struct StaleNormClipper: GradientClipper {
    typealias Scalar = Float
    struct State: Codable, Sendable { var cachedNorm: Double? }
    var maxNorm = 1.0
    var guarantee: ClippingGuarantee { .globalNorm(max: maxNorm, norm: .l2) }
    func makeState(for parameters: ParameterSet<Float>) -> State { State() }
    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        let norm = state.cachedNorm ?? updates.globalNorm(.l2)
        state.cachedNorm = norm
        if norm > maxNorm { updates.scale(by: Float(maxNorm / norm)) }
    }
}

/// A correct soft clipper, g·c/max(c, ‖g‖), built like the mutants: the control that passes.
struct ReferenceClipper: ThresholdClipper {
    typealias Scalar = Float
    var threshold = 1.0
    var guarantee: ClippingGuarantee { .globalNorm(max: threshold, norm: .l2) }
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        let before = updates.globalNorm(.l2)
        updates = correctlyClipped(updates, maxNorm: threshold)
        let after = before > threshold ? threshold : before
        context.reports.append(
            .clip(ClipReport(
                transform: "ReferenceClipper", fired: before > threshold, normBefore: before, normAfter: after,
                coefficient: before > threshold ? threshold / before : 1, threshold: threshold)))
    }
}
