/// Fires when the global gradient norm explodes: above an absolute threshold, or grown by a
/// factor over a window of recent steps.
///
/// Two rules, either fires:
/// - **absolute**: ‖g‖ > `absoluteThreshold`;
/// - **growth**: with at least `minimumHistory` earlier finite norms recorded (default 1: from
///   the second step on; the window fills over the first `window` steps), ‖g‖ / b >
///   `growthFactor`, where b is the ``GrowthBaseline`` (minimum by default, or median) of the
///   last `window` norms. Default: ×100 over 10 steps relative to the window's minimum.
///
/// Neither rule waits for a full window: a blow-up in the first steps of a run is caught (the
/// absolute rule needs no history at all), so a rollback never restores a state the explosion
/// had already destroyed.
///
/// Norms of steps that fired are **not** added to the window (the trainer skips or undoes them, so
/// they should not become the new normal). Non-finite norms are left to ``NonFiniteMonitor``: this
/// monitor proceeds and records nothing for them.
///
/// Cost: O(window) per step, independent of the model.
public struct GradientExplosionMonitor: Monitor {
    /// Fire when ‖g‖ exceeds this (nil: no absolute rule).
    public var absoluteThreshold: Double?
    /// Fire when ‖g‖ exceeds this multiple of the window baseline (nil: no growth rule).
    public var growthFactor: Double?
    /// The number of earlier steps in the window.
    public var window: Int
    /// What the growth rule compares against.
    public var baseline: GrowthBaseline
    /// The earlier norms the growth rule needs before it can fire (1 ... `window`).
    public var minimumHistory: Int
    /// What to do when a rule fires; default ``MonitorAction/skipUpdate``.
    public var action: MonitorAction
    /// The last `window` finite, non-firing global norms, oldest first.
    public private(set) var recentNorms: [Double] = []
    /// How many steps fired so far.
    public private(set) var firedCount: Int = 0
    /// After this many consecutive firings of the growth rule on a plateau (norms within 10× of
    /// each other), the monitor takes the current norm as the new normal level instead of firing
    /// forever (`nil`: never); a norm that keeps growing keeps firing. Without it, a lasting
    /// jump of the gradient norm (a new phase of training, not an explosion) made a `.skipUpdate`
    /// monitor skip every later step: the validation suite's copy task froze at step 423 of 3000.
    public var maximumConsecutiveFirings: Int?
    /// Growth-rule firings in a row, up to the current step.
    public private(set) var consecutiveFirings: Int = 0
    /// The norms of those firings: a new level is accepted only if they stayed within a factor
    /// of 10 of each other (a plateau), never while they keep growing (an explosion).
    public private(set) var firingNorms: [Double] = []
    /// The findings of the last inspected step.
    public private(set) var findings: [String] = []

    /// - Parameters:
    ///   - absoluteThreshold: fire when ‖g‖ exceeds it (nil: off).
    ///   - growthFactor: fire when ‖g‖ exceeds `growthFactor` × the window baseline (nil: off).
    ///   - window: earlier steps compared against (≥ 1).
    ///   - baseline: minimum or median of the window.
    ///   - action: what to do when it fires.
    ///   - maximumConsecutiveFirings: growth-rule firings in a row after which the current level
    ///     becomes the baseline (nil: never; the absolute threshold is never relaxed).
    ///   - minimumHistory: earlier norms the growth rule needs (1 ... `window`; default 1).
    public init(
        absoluteThreshold: Double? = nil, growthFactor: Double? = 100, window: Int = 10,
        baseline: GrowthBaseline = .minimum, action: MonitorAction = .skipUpdate, maximumConsecutiveFirings: Int? = 10,
        minimumHistory: Int = 1
    ) {
        precondition(window >= 1, "GradientExplosionMonitor: window must be ≥ 1")
        precondition(minimumHistory >= 1 && minimumHistory <= window, "GradientExplosionMonitor: minimumHistory must be in 1...window")
        self.minimumHistory = minimumHistory
        precondition(maximumConsecutiveFirings.map { $0 >= 1 } ?? true, "GradientExplosionMonitor: maximumConsecutiveFirings must be ≥ 1")
        self.maximumConsecutiveFirings = maximumConsecutiveFirings
        self.absoluteThreshold = absoluteThreshold
        self.growthFactor = growthFactor
        self.window = window
        self.baseline = baseline
        self.action = action
        recentNorms.reserveCapacity(window + 1)
    }

    public mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        findings.removeAll(keepingCapacity: true)
        let norm = observation.globalGradientNorm
        guard norm.isFinite else { return .proceed }
        if let threshold = absoluteThreshold, norm > threshold {
            findings.append("global gradient norm \(findingNumber(norm)) exceeds the threshold \(findingNumber(threshold))")
        }
        var grew = false
        if let factor = growthFactor, recentNorms.count >= minimumHistory {
            let reference = baseline == .minimum ? recentNorms.min()! : SampleStatistics.median(recentNorms)
            if reference > 0, norm / reference > factor {
                grew = true
                findings.append(
                    "global gradient norm \(findingNumber(norm)) grew \(findingNumber(norm / reference))× over the \(baseline.rawValue) \(findingNumber(reference)) of the last \(recentNorms.count) steps (limit \(findingNumber(factor))×)")
            }
        }
        consecutiveFirings = grew ? consecutiveFirings + 1 : 0
        if grew {
            firingNorms.append(norm)
            if let limit = maximumConsecutiveFirings, firingNorms.count > limit { firingNorms.removeFirst() }
        } else {
            firingNorms.removeAll(keepingCapacity: true)
        }
        if grew, let limit = maximumConsecutiveFirings, consecutiveFirings > limit, findings.count == 1,
            firingNorms.max()! <= 10 * firingNorms.min()!
        {
            // A lasting level, not a spike: adopt it as the baseline (the whole window, so the
            // next step is checked against it at once) and let this step through.
            findings = ["global gradient norm \(findingNumber(norm)) stayed above the growth limit for \(limit) steps: accepted as the new level"]
            recentNorms = Array(repeating: norm, count: window)
            consecutiveFirings = 0
            firingNorms.removeAll(keepingCapacity: true)
            return .proceed
        }
        guard findings.isEmpty else {
            firedCount += 1
            return action.verdict(reason: findings.joined(separator: "; "))
        }
        recentNorms.append(norm)
        if recentNorms.count > window { recentNorms.removeFirst(recentNorms.count - window) }
        return .proceed
    }
}
