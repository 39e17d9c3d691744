/// Watches the dynamics of recurrent layers (`StepObservation.recurrentDynamics`) every `every`
/// steps: Pascanu's spectral criterion on W_hh, gate saturation, and hidden-state norm growth.
///
/// Rules, checked per layer on due steps (step % `every` == 0):
/// - **Pascanu**: σ_max(W_hh) > `spectralMargin`/γ, with γ from the layer's ``RecurrentActivation``
///   (1 for tanh, ¼ for sigmoid). λ₁ > 1/γ is *necessary* for exploding gradients (and λ₁ < 1/γ
///   sufficient for vanishing), so this is a warning sign, not proof: the default action is
///   ``MonitorAction/warn``. The rule is derived for Elman networks, h_t = φ(W_hh h_{t−1} + …);
///   for gated cells (LSTM, GRU) pass `spectralMargin: nil` (as `keel train` does) and keep σ_max
///   as a recorded quantity.
/// - **saturation**: the fraction of gates within 0.01 of their bounds > `saturationThreshold`.
/// - **hidden growth**: ‖h_T‖/‖h₁‖ > `hiddenGrowthThreshold`.
///
/// On other steps it does nothing and needs nothing (see ``needs(atStep:)``).
///
/// ## References
/// - Pascanu, Mikolov, Bengio, "On the difficulty of training recurrent neural networks",
///   ICML 2013 (arXiv 1211.5063).
public struct RecurrentDynamicsMonitor: Monitor {
    /// Check every this many steps (≥ 1).
    public var every: Int
    /// The activation of recurrent layers, for γ.
    public var nonlinearity: RecurrentActivation
    /// Per-layer activations overriding `nonlinearity`, by W_hh key.
    public var nonlinearityOverrides: [ParameterKey: RecurrentActivation]
    /// Fire when σ_max > spectralMargin/γ (nil: off); default 1.
    public var spectralMargin: Double?
    /// Fire when the gate saturation fraction exceeds this (nil: off); default 0.5.
    public var saturationThreshold: Double?
    /// Fire when ‖h_T‖/‖h₁‖ exceeds this (nil: off); default 10.
    public var hiddenGrowthThreshold: Double?
    /// What to do when a rule fires; default ``MonitorAction/warn``.
    public var action: MonitorAction
    /// σ_max of each W_hh at the last due step.
    public private(set) var largestSingularValues: [ParameterKey: Double] = [:]
    /// The findings of the last inspected step.
    public private(set) var findings: [String] = []

    /// - Parameters:
    ///   - every: check every this many steps.
    ///   - nonlinearity: the recurrent activation (γ).
    ///   - nonlinearityOverrides: per-layer activations by W_hh key.
    ///   - spectralMargin: Pascanu's rule fires above spectralMargin/γ (nil: off).
    ///   - saturationThreshold: gate-saturation fraction limit (nil: off).
    ///   - hiddenGrowthThreshold: ‖h_T‖/‖h₁‖ limit (nil: off).
    ///   - action: what to do when a rule fires.
    public init(
        every: Int = 10, nonlinearity: RecurrentActivation = .tanh, nonlinearityOverrides: [ParameterKey: RecurrentActivation] = [:],
        spectralMargin: Double? = 1, saturationThreshold: Double? = 0.5, hiddenGrowthThreshold: Double? = 10,
        action: MonitorAction = .warn
    ) {
        precondition(every >= 1, "RecurrentDynamicsMonitor: every must be ≥ 1")
        self.every = every
        self.nonlinearity = nonlinearity
        self.nonlinearityOverrides = nonlinearityOverrides
        self.spectralMargin = spectralMargin
        self.saturationThreshold = saturationThreshold
        self.hiddenGrowthThreshold = hiddenGrowthThreshold
        self.action = action
    }

    public var needs: ObservationNeeds { .recurrentDynamics }

    /// `ObservationNeeds.recurrentDynamics` on due steps, nothing otherwise.
    public func needs(atStep step: Int) -> ObservationNeeds { isDue(step: step) ? .recurrentDynamics : [] }

    /// Whether `step` is checked.
    public func isDue(step: Int) -> Bool { step % every == 0 }

    public mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        findings.removeAll(keepingCapacity: true)
        guard isDue(step: observation.step) else { return .proceed }
        for layer in observation.recurrentDynamics {
            let key = layer.weightKey
            let gamma = (nonlinearityOverrides[key] ?? nonlinearity).gamma
            if let sigma = layer.largestSingularValue {
                largestSingularValues[key] = sigma
                if let margin = spectralMargin, sigma > margin / gamma {
                    findings.append(
                        "σ_max(\(key)) = \(findingNumber(sigma)) > \(findingNumber(margin / gamma)) (Pascanu: 1/γ with γ = \(gamma)); exploding gradients are possible")
                }
            }
            if let limit = saturationThreshold, let saturation = layer.gateSaturation, saturation > limit {
                findings.append("\(findingNumber(saturation * 100))% of the gates of \(key) are saturated (limit \(findingNumber(limit * 100))%)")
            }
            if let limit = hiddenGrowthThreshold, let growth = layer.hiddenNormGrowth, !(growth <= limit) {
                findings.append("hidden-state norm of \(key) grew \(findingNumber(growth))× over the sequence (limit \(findingNumber(limit))×)")
            }
        }
        return findings.isEmpty ? .proceed : action.verdict(reason: "recurrent dynamics: " + findings.joined(separator: "; "))
    }
}
