/// Keeps an exponential moving average of each parameter's gradient norm and, on demand, ranks the
/// parameters most responsible for a step's explosion (``AttributionReport``).
///
/// Per parameter i, after each **healthy** step (finite, and not flagged by ``observe(_:healthy:)``):
///
///     μᵢ ← α·μᵢ + (1 − α)·‖gᵢ‖
///     σᵢ² ← α·σᵢ² + (1 − α)·(‖gᵢ‖ − μᵢ)²      (with the new μᵢ, as ZClip does)
///
/// started from the first observed norm with σᵢ² = 0. The z-score is (‖gᵢ‖ − μᵢ)/(σᵢ + ε) with
/// ε = `epsilon`·max(μᵢ, tiny) so that a perfectly flat history still gives a finite, huge z for a
/// jump. Reports use the statistics from **before** the step being explained, so a spike is
/// compared with the normal it broke.
///
/// As a `Monitor` it updates its statistics and always proceeds; ``MonitorSet`` drives it
/// itself (updating only on healthy steps) and attaches its report when a member fires.
///
/// Cost: O(#parameters) per step, no allocation after the first step.
public struct ExplosionAttributor: Monitor {
    /// The EMA decay α; default 0.97 (ZClip's).
    public var decay: Double
    /// Steps observed before z-scores are reported; default 10.
    public var warmUp: Int
    /// How many entries a report keeps; default 5.
    public var topK: Int
    /// The relative floor on σ in z-scores; default 1e-3.
    public var epsilon: Double
    /// Whether reports include ‖g‖/‖w‖, which makes the trainer compute every ‖w‖ each step
    /// (`ObservationNeeds.parameterNorms`, a pass over all weights); default true.
    public var usesWeightNorms: Bool
    /// The parameter order the statistics are indexed by (model order).
    public private(set) var keys: [ParameterKey] = []
    /// The EMA of each parameter's ‖g‖.
    public private(set) var means: [Double] = []
    /// The EMA variance of each parameter's ‖g‖.
    public private(set) var variances: [Double] = []
    /// Healthy steps folded into the statistics.
    public private(set) var observedSteps: Int = 0

    /// - Parameters:
    ///   - decay: EMA decay α in (0, 1).
    ///   - warmUp: healthy steps before z-scores are reported.
    ///   - topK: entries per report (≥ 1).
    ///   - epsilon: relative floor on σ.
    ///   - usesWeightNorms: ask for ‖w‖ to report ‖g‖/‖w‖.
    public init(decay: Double = 0.97, warmUp: Int = 10, topK: Int = 5, epsilon: Double = 1e-3, usesWeightNorms: Bool = true) {
        precondition(decay > 0 && decay < 1, "ExplosionAttributor: decay must be in (0, 1)")
        precondition(topK >= 1, "ExplosionAttributor: topK must be ≥ 1")
        self.decay = decay
        self.warmUp = warmUp
        self.topK = topK
        self.epsilon = epsilon
        self.usesWeightNorms = usesWeightNorms
    }

    public var needs: ObservationNeeds { usesWeightNorms ? .parameterNorms : [] }

    public mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        observe(observation)
        return .proceed
    }

    /// Folds a step into the per-parameter statistics when it is healthy: `healthy` is true and the
    /// step has no non-finite values. A changed parameter list restarts the statistics.
    public mutating func observe(_ observation: StepObservation, healthy: Bool = true) {
        guard healthy, !observation.hasNonFiniteValues else { return }
        if keys != observation.parameterKeys {
            keys = observation.parameterKeys
            means = observation.gradientNorms
            variances = Array(repeating: 0, count: keys.count)
            observedSteps = 1
            return
        }
        for index in means.indices {
            let norm = observation.gradientNorms[index]
            let mean = decay * means[index] + (1 - decay) * norm
            means[index] = mean
            variances[index] = decay * variances[index] + (1 - decay) * (norm - mean) * (norm - mean)
        }
        observedSteps += 1
    }

    /// The z-score of `norm` against parameter `index`'s history (nil before warm-up).
    public func zScore(of norm: Double, parameterIndex index: Int) -> Double? {
        guard observedSteps >= warmUp, index < means.count else { return nil }
        let floor = epsilon * max(means[index], Double.leastNormalMagnitude)
        return (norm - means[index]) / (variances[index].squareRoot() + floor)
    }

    /// The ranked report for `observation`, against the statistics so far (call before
    /// ``observe(_:healthy:)`` for the same step).
    public func report(for observation: StepObservation) -> AttributionReport {
        let global = observation.globalGradientNorm
        let globalSquared = global * global
        let hasWeights = observation.parameterNorms.count == observation.gradientNorms.count && !observation.parameterNorms.isEmpty
        let ratios = hasWeights ? observation.gradientToWeightRatios : []
        let sameKeys = keys == observation.parameterKeys
        var entries: [ParameterAttribution] = []
        entries.reserveCapacity(observation.parameterKeys.count)
        for (index, key) in observation.parameterKeys.enumerated() {
            let norm = observation.gradientNorms[index]
            let share = globalSquared.isFinite && globalSquared > 0 && norm.isFinite ? norm * norm / globalSquared : nil
            entries.append(
                ParameterAttribution(
                    key: key, gradientNorm: norm, shareOfGlobalNorm: share,
                    gradientToWeightRatio: hasWeights ? ratios[index] : nil,
                    zScore: sameKeys ? zScore(of: norm, parameterIndex: index) : nil,
                    nonFiniteCount: index < observation.nonFiniteCounts.count ? observation.nonFiniteCounts[index] : 0))
        }
        let criterion: AttributionCriterion = sameKeys && observedSteps >= warmUp ? .zScore : .gradientNorm
        let firstNonFinite = observation.firstNonFiniteKey
            ?? observation.nonFiniteCounts.firstIndex(where: { $0 > 0 }).map { observation.parameterKeys[$0] }
        entries.sort { AttributionReport.precedes($0, $1, by: criterion, firstNonFinite: firstNonFinite) }
        return AttributionReport(
            step: observation.step, globalGradientNorm: global, firstNonFiniteKey: firstNonFinite, rankedBy: criterion,
            entries: Array(entries.prefix(topK)))
    }
}
