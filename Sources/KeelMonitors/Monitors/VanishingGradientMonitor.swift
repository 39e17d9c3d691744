/// Fires when gradients vanish for `patience` consecutive steps.
///
/// Three rules, each with its own streak counter; any streak reaching `patience` fires:
/// - **global**: ‖g‖ < `globalThreshold`;
/// - **per parameter** (when `parameterThreshold` is set): some parameter's ‖gᵢ‖ below it (the
///   reason names the parameter whose streak is longest);
/// - **gradient flow** (when `flowRatioThreshold` is set; needs `ObservationNeeds.gradientFlow`):
///   for some recurrent layer, ‖∂L/∂h₁‖ / ‖∂L/∂h_T‖ < `flowRatioThreshold`, i.e. the gradient
///   reaching the first time step is that much smaller than at the last one (first and last
///   positive entries of the profile, since steps beyond a truncation are recorded as 0).
///
/// Non-finite steps reset nothing and count for nothing. Cost: O(#parameters + #recurrent layers).
public struct VanishingGradientMonitor: Monitor {
    /// Fire on a global norm below this (nil: off).
    public var globalThreshold: Double?
    /// Fire on any per-parameter norm below this (nil: off).
    public var parameterThreshold: Double?
    /// Fire on a gradient-flow ratio ‖∂L/∂h₁‖/‖∂L/∂h_T‖ below this (nil: off).
    public var flowRatioThreshold: Double?
    /// Consecutive steps a rule must hold before firing.
    public var patience: Int
    /// What to do when it fires; default ``MonitorAction/warn``.
    public var action: MonitorAction
    /// Current streak of the global rule.
    public private(set) var globalStreak: Int = 0
    /// Current streak of the per-parameter rule, by parameter index (model order).
    public private(set) var parameterStreaks: [Int] = []
    /// Current streak of the gradient-flow rule.
    public private(set) var flowStreak: Int = 0
    /// The findings of the last inspected step.
    public private(set) var findings: [String] = []

    /// - Parameters:
    ///   - globalThreshold: global-norm floor (nil: off).
    ///   - parameterThreshold: per-parameter floor (nil: off).
    ///   - flowRatioThreshold: gradient-flow ratio floor (nil: off).
    ///   - patience: consecutive steps before firing (≥ 1).
    ///   - action: what to do when it fires.
    public init(
        globalThreshold: Double? = 1e-7, parameterThreshold: Double? = nil, flowRatioThreshold: Double? = nil,
        patience: Int = 10, action: MonitorAction = .warn
    ) {
        precondition(patience >= 1, "VanishingGradientMonitor: patience must be ≥ 1")
        self.globalThreshold = globalThreshold
        self.parameterThreshold = parameterThreshold
        self.flowRatioThreshold = flowRatioThreshold
        self.patience = patience
        self.action = action
    }

    public var needs: ObservationNeeds { flowRatioThreshold == nil ? [] : .gradientFlow }

    /// ‖∂L/∂h₁‖ / ‖∂L/∂h_T‖ over the positive, finite entries of a profile (nil with fewer than 2).
    public static func flowRatio(_ profile: [Double]) -> Double? {
        guard let first = profile.firstIndex(where: { $0 > 0 && $0.isFinite }),
            let last = profile.lastIndex(where: { $0 > 0 && $0.isFinite }), last > first
        else { return nil }
        return profile[first] / profile[last]
    }

    public mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        findings.removeAll(keepingCapacity: true)
        guard !observation.hasNonFiniteValues else { return .proceed }
        if let threshold = globalThreshold {
            globalStreak = observation.globalGradientNorm < threshold ? globalStreak + 1 : 0
            if globalStreak >= patience {
                findings.append("global gradient norm \(findingNumber(observation.globalGradientNorm)) below \(findingNumber(threshold)) for \(globalStreak) steps")
            }
        }
        if let threshold = parameterThreshold {
            if parameterStreaks.count != observation.gradientNorms.count {
                parameterStreaks = Array(repeating: 0, count: observation.gradientNorms.count)
            }
            var worst = -1
            for index in parameterStreaks.indices {
                parameterStreaks[index] = observation.gradientNorms[index] < threshold ? parameterStreaks[index] + 1 : 0
                if parameterStreaks[index] >= patience, worst < 0 || parameterStreaks[index] > parameterStreaks[worst] {
                    worst = index
                }
            }
            if worst >= 0 {
                let count = parameterStreaks.filter { $0 >= patience }.count
                findings.append(
                    "gradient of \(observation.parameterKeys[worst]) (norm \(findingNumber(observation.gradientNorms[worst]))) below \(findingNumber(threshold)) for \(parameterStreaks[worst]) steps"
                        + (count > 1 ? " (\(count) parameters vanishing)" : ""))
            }
        }
        if let threshold = flowRatioThreshold {
            var smallest: (key: ParameterKey, ratio: Double)?
            for layer in observation.recurrentDynamics {
                if let ratio = Self.flowRatio(layer.gradientFlow), ratio < threshold, ratio < (smallest?.ratio ?? .infinity) {
                    smallest = (layer.weightKey, ratio)
                }
            }
            flowStreak = smallest == nil ? 0 : flowStreak + 1
            if let smallest, flowStreak >= patience {
                findings.append(
                    "gradient flow through \(smallest.key): ‖∂L/∂h₁‖/‖∂L/∂h_T‖ = \(findingNumber(smallest.ratio)) below \(findingNumber(threshold)) for \(flowStreak) steps")
            }
        }
        return findings.isEmpty ? .proceed : action.verdict(reason: "vanishing gradients: " + findings.joined(separator: "; "))
    }
}
