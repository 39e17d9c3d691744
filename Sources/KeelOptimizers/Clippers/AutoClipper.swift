/// AutoClip: clips the global norm to the p-th percentile of the norms seen so far.
///
/// Each step, with ‖gₜ‖ the pre-clip global norm:
///
///     history ← history + [‖gₜ‖]            (the most recent `historyLimit` norms)
///     ηₜ = percentile(history, p)
///     g ← g·ηₜ/‖gₜ‖   if ‖gₜ‖ > ηₜ,   g unchanged otherwise.
///
/// The current norm is in the history before the percentile is taken, as in the reference code,
/// so the first step is never clipped. The percentile is NumPy's default (`method="linear"`):
/// with the n norms sorted as x₀ ≤ … ≤ xₙ₋₁ and h = (p/100)·(n − 1), it is
/// x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋), evaluated as NumPy's `_lerp` does. The history is a ring
/// buffer (the reference keeps every norm; the `autoclip` package bounds it at 1,000). A
/// non-finite norm is not recorded and the updates pass through unchanged (``ApplyIfFinite`` or
/// ``ZeroNonFinite`` decide about them).
///
/// - Parameters:
///   - percentile: p in [0, 100] (the `autoclip` package's default quantile 0.9 is p = 90).
///   - historyLimit: How many recent norms the percentile is taken over (default 1,000).
///   - norm: The norm measured (default L2).
///
/// ## References
/// - Seetharaman, Wichern, Pardo, Le Roux. *AutoClip: Adaptive Gradient Clipping for Source
///   Separation Networks*. MLSP 2020 (arXiv:2007.14469); github.com/pseeth/autoclip.
public struct AutoClipper<Scalar: TensorScalar>: GradientClipper {
    public typealias State = AutoClipperState

    /// p, the percentile of the history used as the threshold.
    public var percentile: Double
    /// How many recent norms are kept.
    public var historyLimit: Int
    /// The norm measured and bounded.
    public var norm: VectorNorm

    /// AutoClip at the `percentile`-th percentile of the last `historyLimit` norms.
    ///
    /// - Precondition: 0 ≤ `percentile` ≤ 100 and `historyLimit` ≥ 1.
    public init(percentile: Double, historyLimit: Int = 1000, norm: VectorNorm = .l2) {
        precondition((0...100).contains(percentile), "AutoClipper: percentile must be in [0, 100], got \(percentile)")
        precondition(historyLimit >= 1, "AutoClipper: historyLimit must be >= 1, got \(historyLimit)")
        self.percentile = percentile
        self.historyLimit = historyLimit
        self.norm = norm
    }

    public var guarantee: ClippingGuarantee { .adaptiveGlobalNorm(norm: norm) }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        let total = updates.globalNorm(norm)
        guard total.isFinite else {
            context.reports.append(
                .clip(ClipReport(
                    transform: "AutoClipper", fired: false, normBefore: total, normAfter: total,
                    detail: "non-finite norm, not recorded" + (updates.firstNonFiniteKey.map { "; first in \($0)" } ?? ""))))
            return
        }
        state.record(total, limit: historyLimit)
        let threshold = linearPercentile(state.history, percentile)
        let clipped = clipGlobalNorm(&updates, total: total, maxNorm: threshold)
        context.reports.append(
            .clip(ClipReport(
                transform: "AutoClipper", fired: clipped.fired, normBefore: total, normAfter: clipped.after,
                coefficient: clipped.coefficient, threshold: threshold)))
    }
}

/// NumPy's `percentile(values, p)` with the default linear method, including its `_lerp`, which
/// computes b − (b − a)(1 − t) instead of a + (b − a)t when t ≥ ½.
func linearPercentile(_ values: [Double], _ p: Double) -> Double {
    precondition(!values.isEmpty, "linearPercentile: no values")
    let sorted = values.sorted()
    let position = (p / 100) * Double(sorted.count - 1)
    let below = min(Int(position.rounded(.down)), sorted.count - 1)
    let above = min(below + 1, sorted.count - 1)
    let fraction = position - Double(below)
    let a = sorted[below]
    let b = sorted[above]
    let difference = b - a
    return fraction >= 0.5 ? b - difference * (1 - fraction) : a + difference * fraction
}
