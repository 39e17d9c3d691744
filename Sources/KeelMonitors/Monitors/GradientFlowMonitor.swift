import Foundation

/// Fits the per-step growth rate of the gradient-flow profile ‖∂L/∂hₜ‖ of each recurrent layer
/// and fires when it explodes or vanishes.
///
/// **The rate.** With s the least-squares slope of log‖∂L/∂hₜ‖ against t (t = 0…T−1, over the
/// positive finite entries; steps beyond a truncation are recorded as 0 and skipped), the rate is
/// exp(−s): the factor by which the gradient grows per step as it travels **backward** from h_T
/// to h₁. A geometric profile ‖∂L/∂hₜ‖ = c·r^(T−1−t) has rate exactly r. (The slope is negated so
/// that rate > 1 means explosion, as in ‖∂h_T/∂h_t‖ ~ r^(T−t).)
///
/// Fires when rate > 1 + `explosionTolerance` (`explosionAction`) or rate < 1 − `vanishingTolerance`
/// (`vanishingAction`); the more severe action wins when layers disagree.
public struct GradientFlowMonitor: Monitor {
    /// Rates above 1 + this explode; default 0.05.
    public var explosionTolerance: Double
    /// Rates below 1 − this vanish; default 0.2.
    public var vanishingTolerance: Double
    /// Profiles with fewer usable entries are ignored (≥ 2); default 3.
    public var minimumLength: Int
    /// What to do on explosion; default ``MonitorAction/warn``.
    public var explosionAction: MonitorAction
    /// What to do on vanishing; default ``MonitorAction/warn``.
    public var vanishingAction: MonitorAction
    /// The rates fitted at the last inspected step, one per layer with a usable profile.
    public private(set) var lastRates: [GradientFlowRate] = []
    /// The findings of the last inspected step.
    public private(set) var findings: [String] = []

    /// - Parameters:
    ///   - explosionTolerance: rate > 1 + it explodes.
    ///   - vanishingTolerance: rate < 1 − it vanishes.
    ///   - minimumLength: usable profile entries needed for a fit.
    ///   - explosionAction: what to do on explosion.
    ///   - vanishingAction: what to do on vanishing.
    public init(
        explosionTolerance: Double = 0.05, vanishingTolerance: Double = 0.2, minimumLength: Int = 3,
        explosionAction: MonitorAction = .warn, vanishingAction: MonitorAction = .warn
    ) {
        precondition(minimumLength >= 2, "GradientFlowMonitor: minimumLength must be ≥ 2")
        self.explosionTolerance = explosionTolerance
        self.vanishingTolerance = vanishingTolerance
        self.minimumLength = minimumLength
        self.explosionAction = explosionAction
        self.vanishingAction = vanishingAction
    }

    public var needs: ObservationNeeds { .gradientFlow }

    /// The backward growth rate exp(−slope) of a profile ‖∂L/∂hₜ‖, t = 0…T−1, fitted by least
    /// squares on log‖∂L/∂hₜ‖ over the positive finite entries; nil with fewer than
    /// `minimumLength` of them.
    public static func fitRate(_ profile: [Double], minimumLength: Int = 2) -> Double? {
        var n = 0.0, sumT = 0.0, sumY = 0.0, sumTT = 0.0, sumTY = 0.0
        for (t, value) in profile.enumerated() where value > 0 && value.isFinite {
            let x = Double(t), y = log(value)
            n += 1; sumT += x; sumY += y; sumTT += x * x; sumTY += x * y
        }
        guard n >= Double(max(minimumLength, 2)) else { return nil }
        let denominator = n * sumTT - sumT * sumT
        guard denominator > 0 else { return nil }
        let slope = (n * sumTY - sumT * sumY) / denominator
        return exp(-slope)
    }

    public mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        findings.removeAll(keepingCapacity: true)
        lastRates.removeAll(keepingCapacity: true)
        var verdict = MonitorVerdict.proceed
        for layer in observation.recurrentDynamics {
            guard let rate = Self.fitRate(layer.gradientFlow, minimumLength: minimumLength) else { continue }
            lastRates.append(GradientFlowRate(weightKey: layer.weightKey, rate: rate))
            let candidate: MonitorVerdict
            if rate > 1 + explosionTolerance {
                let reason = "gradient flow through \(layer.weightKey) explodes: ‖∂L/∂hₜ‖ grows \(rate)× per step backward (limit \(1 + explosionTolerance))"
                findings.append(reason)
                candidate = explosionAction.verdict(reason: reason)
            } else if rate < 1 - vanishingTolerance {
                let reason = "gradient flow through \(layer.weightKey) vanishes: ‖∂L/∂hₜ‖ shrinks to \(rate)× per step backward (limit \(1 - vanishingTolerance))"
                findings.append(reason)
                candidate = vanishingAction.verdict(reason: reason)
            } else {
                continue
            }
            if candidate.severity > verdict.severity { verdict = candidate }
        }
        return verdict
    }
}
