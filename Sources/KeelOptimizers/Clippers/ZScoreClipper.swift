/// ZClip: clips the global L2 norm when it is an outlier against an exponential moving average
/// of past norms.
///
/// Warm-up: the first `warmupSteps` norms are collected (clipped only at `maxGradNorm`, if set);
/// at the last of them μ and σ² become their mean and (population) variance. After warm-up, each
/// step with pre-clip norm g:
///
///     σ = √σ²,   z = (g − μ)/(σ + 10⁻⁶)
///     T = (μ + z_thr·σ/(z/z_thr))·clipFactor = (μ + z_thr²·σ/z)·clipFactor   if z > z_thr  (adaptive scaling)
///     T = μ                                                                  if z > z_thr  (``Response/mean``)
///     T = min(T, maxGradNorm)   (T = maxGradNorm when z ≤ z_thr, if set)
///     g ← g·T/‖g‖ when ‖g‖ > T;   g′ = the norm after clipping
///     μ ← αμ + (1 − α)g′,   σ² ← ασ² + (1 − α)(g′ − μ)²   (with the new μ)
///
/// The statistics follow the *clipped* norm, so one spike does not inflate them; with
/// `freezeStatisticsOnSpike` they are not updated at all on a step with z > z_thr (ZClip's
/// `skip_update_on_spike`). A non-finite norm passes through unchanged and is not recorded.
/// Apply the clipper once per optimizer step: calling it more often updates the statistics more
/// often (bluorion-com/ZClip#16).
///
/// `maxGradNorm` is optional and off by default, as in `zclip.py` versions whose
/// `max_grad_norm=None` (others default to 1.0), so the clipper is purely adaptive unless a
/// ceiling is asked for.
///
/// - Parameters:
///   - alpha: α, the EMA decay (0.97).
///   - zThreshold: z_thr (2.5).
///   - warmupSteps: The number of norms the statistics start from (25).
///   - clipFactor: Multiplies the adaptive threshold (1.0).
///   - maxGradNorm: An optional ceiling on the threshold.
///   - response: How the threshold is chosen on a spike (adaptive scaling by default).
///   - freezeStatisticsOnSpike: Whether a spike leaves μ and σ² unchanged (false).
///
/// ## References
/// - Kumar, Owen, Ashraf, Khan. *ZClip: Adaptive Spike Mitigation for LLM Pre-Training*.
///   arXiv:2504.02507 (2025); `zclip.py` in github.com/bluorion-com/ZClip.
public struct ZScoreClipper<Scalar: TensorScalar>: GradientClipper {
    public typealias State = ZScoreClipperState

    /// The threshold on a spike.
    public enum Response: String, Sendable, Codable, Hashable {
        /// T = μ + z_thr²·σ/z, times the clip factor: the larger the spike, the closer to μ.
        case adaptiveScaling
        /// T = μ.
        case mean
    }

    /// α, the decay of the moving averages.
    public var alpha: Double
    /// z_thr, the z-score above which a norm is a spike.
    public var zThreshold: Double
    /// The number of norms collected before the statistics start.
    public var warmupSteps: Int
    /// The factor the adaptive threshold is multiplied by.
    public var clipFactor: Double
    /// An optional ceiling on the threshold (also the only clipping during warm-up).
    public var maxGradNorm: Double?
    /// The threshold on a spike.
    public var response: Response
    /// Whether a spike leaves the statistics unchanged.
    public var freezeStatisticsOnSpike: Bool
    /// The floor added to σ in the z-score, 10⁻⁶.
    public static var epsilon: Double { 1e-6 }

    /// ZClip with the paper's defaults.
    ///
    /// - Precondition: 0 ≤ `alpha` < 1, `zThreshold` > 0, `warmupSteps` ≥ 1, `clipFactor` > 0,
    ///   `maxGradNorm` ≥ 0 when set.
    public init(
        alpha: Double = 0.97, zThreshold: Double = 2.5, warmupSteps: Int = 25, clipFactor: Double = 1.0,
        maxGradNorm: Double? = nil, response: Response = .adaptiveScaling, freezeStatisticsOnSpike: Bool = false
    ) {
        precondition(alpha >= 0 && alpha < 1, "ZScoreClipper: alpha must be in [0, 1), got \(alpha)")
        precondition(zThreshold > 0, "ZScoreClipper: zThreshold must be > 0, got \(zThreshold)")
        precondition(warmupSteps >= 1, "ZScoreClipper: warmupSteps must be >= 1, got \(warmupSteps)")
        precondition(clipFactor > 0, "ZScoreClipper: clipFactor must be > 0, got \(clipFactor)")
        precondition((maxGradNorm ?? 0) >= 0, "ZScoreClipper: maxGradNorm must be >= 0, got \(maxGradNorm!)")
        self.alpha = alpha
        self.zThreshold = zThreshold
        self.warmupSteps = warmupSteps
        self.clipFactor = clipFactor
        self.maxGradNorm = maxGradNorm
        self.response = response
        self.freezeStatisticsOnSpike = freezeStatisticsOnSpike
    }

    public var guarantee: ClippingGuarantee { .adaptiveGlobalNorm(norm: .l2) }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        let total = updates.globalNorm(.l2)
        guard total.isFinite else {
            context.reports.append(
                .clip(ClipReport(
                    transform: "ZScoreClipper", fired: false, normBefore: total, normAfter: total,
                    detail: "non-finite norm, not recorded" + (updates.firstNonFiniteKey.map { "; first in \($0)" } ?? ""))))
            return
        }
        guard let mean = state.mean, let variance = state.variance else {
            state.warmupNorms.append(total)
            if state.warmupNorms.count >= warmupSteps {
                let count = Double(state.warmupNorms.count)
                let average = state.warmupNorms.reduce(0, +) / count
                state.mean = average
                state.variance = state.warmupNorms.reduce(0) { $0 + (($1 - average) * ($1 - average)) } / count
                state.warmupNorms = []
            }
            let clipped = maxGradNorm.map { clipGlobalNorm(&updates, total: total, maxNorm: $0) }
            context.reports.append(
                .clip(ClipReport(
                    transform: "ZScoreClipper", fired: clipped?.fired ?? false, normBefore: total,
                    normAfter: clipped?.after ?? total, coefficient: clipped?.coefficient ?? 1, threshold: maxGradNorm,
                    detail: "warm-up")))
            return
        }
        let deviation = variance.squareRoot()
        let z = (total - mean) / (deviation + Self.epsilon)
        let spike = z > zThreshold
        var threshold: Double?
        if spike {
            switch response {
            case .adaptiveScaling:
                let eta = z / zThreshold
                threshold = (mean + (zThreshold * deviation) / eta) * clipFactor
            case .mean:
                threshold = mean
            }
        }
        if let ceiling = maxGradNorm { threshold = min(threshold ?? ceiling, ceiling) }
        var clipped: (fired: Bool, coefficient: Double, after: Double) = (false, 1, total)
        if let threshold { clipped = clipGlobalNorm(&updates, total: total, maxNorm: threshold) }
        if !(spike && freezeStatisticsOnSpike) {
            let newMean = alpha * mean + (1 - alpha) * clipped.after
            let deviationFromMean = clipped.after - newMean
            state.mean = newMean
            state.variance = alpha * variance + (1 - alpha) * deviationFromMean * deviationFromMean
        }
        context.reports.append(
            .clip(ClipReport(
                transform: "ZScoreClipper", fired: clipped.fired, normBefore: total, normAfter: clipped.after,
                coefficient: clipped.coefficient, threshold: threshold, detail: "z = \(z)")))
    }
}
