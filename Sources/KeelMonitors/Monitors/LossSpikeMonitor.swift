/// Fires when the loss jumps away from its recent history: a rolling z-score, as in OLMo-core's
/// `SkipStepOptimizer`.
///
/// With μ and σ the mean and population standard deviation of the last `window` recorded losses,
/// the step fires when |loss − μ| / σ > `sigmaFactor` (only loss − μ when `upwardOnly`). Nothing
/// fires until `warmUp` losses are recorded. σ is floored at
/// max(`minimumStandardDeviation`, `relativeStandardDeviationFloor`·|μ|) so a perfectly flat
/// history does not turn rounding noise into a spike.
///
/// Losses of steps that fired are not recorded (they would inflate σ and hide the next spike);
/// non-finite losses are left to ``NonFiniteMonitor``.
///
/// Defaults follow OLMo-core: a window of 128, warm-up 20, k = 6.
///
/// ## References
/// - OLMo-core, `SkipStepOptimizer(rolling_interval_length=128, sigma_factor=6)`.
public struct LossSpikeMonitor: Monitor {
    /// The number of recent losses μ and σ are taken over.
    public var window: Int
    /// The number of recorded losses before the detector is active.
    public var warmUp: Int
    /// k in |loss − μ|/σ > k.
    public var sigmaFactor: Double
    /// Whether only increases count as spikes.
    public var upwardOnly: Bool
    /// An absolute floor on σ.
    public var minimumStandardDeviation: Double
    /// A floor on σ relative to |μ|.
    public var relativeStandardDeviationFloor: Double
    /// What to do when it fires; default ``MonitorAction/skipUpdate``.
    public var action: MonitorAction
    /// After this many consecutive firings the monitor restarts its statistics from the current
    /// loss instead of firing forever (`nil`: never), so a lasting shift of the loss level cannot
    /// make a `.skipUpdate` monitor skip every later step.
    public var maximumConsecutiveFirings: Int?
    /// Firings in a row, up to the current step.
    public private(set) var consecutiveFirings: Int = 0
    /// The losses of those firings: a new level is accepted only on a plateau (their spread at most
    /// half their mean magnitude), never while the loss keeps climbing.
    public private(set) var firingLosses: [Double] = []
    /// The recorded losses, oldest first (at most `window`).
    public private(set) var recentLosses: [Double] = []
    /// The z-score of the last inspected loss (nil during warm-up or for a non-finite loss).
    public private(set) var lastZScore: Double?
    /// The findings of the last inspected step.
    public private(set) var findings: [String] = []

    /// - Parameters:
    ///   - window: losses μ and σ are computed over (≥ 2).
    ///   - warmUp: recorded losses needed before firing (≥ 2, ≤ window).
    ///   - sigmaFactor: k.
    ///   - upwardOnly: ignore drops in the loss.
    ///   - minimumStandardDeviation: absolute floor on σ.
    ///   - relativeStandardDeviationFloor: floor on σ as a fraction of |μ|.
    ///   - action: what to do when it fires.
    ///   - maximumConsecutiveFirings: firings in a row after which the statistics restart from the
    ///     current loss (nil: never).
    public init(
        window: Int = 128, warmUp: Int = 20, sigmaFactor: Double = 6, upwardOnly: Bool = false,
        minimumStandardDeviation: Double = 1e-12, relativeStandardDeviationFloor: Double = 1e-3,
        action: MonitorAction = .skipUpdate, maximumConsecutiveFirings: Int? = 10
    ) {
        precondition(window >= 2 && warmUp >= 2 && warmUp <= window, "LossSpikeMonitor: need 2 ≤ warmUp ≤ window")
        precondition(maximumConsecutiveFirings.map { $0 >= 1 } ?? true, "LossSpikeMonitor: maximumConsecutiveFirings must be ≥ 1")
        self.maximumConsecutiveFirings = maximumConsecutiveFirings
        self.window = window
        self.warmUp = warmUp
        self.sigmaFactor = sigmaFactor
        self.upwardOnly = upwardOnly
        self.minimumStandardDeviation = minimumStandardDeviation
        self.relativeStandardDeviationFloor = relativeStandardDeviationFloor
        self.action = action
    }

    public mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        findings.removeAll(keepingCapacity: true)
        lastZScore = nil
        let loss = observation.loss
        guard loss.isFinite else { return .proceed }
        if recentLosses.count >= warmUp {
            let mu = SampleStatistics.mean(recentLosses)
            let sigma = max(
                SampleStatistics.standardDeviation(recentLosses), minimumStandardDeviation,
                relativeStandardDeviationFloor * abs(mu))
            let deviation = upwardOnly ? loss - mu : abs(loss - mu)
            let z = deviation / sigma
            lastZScore = z
            if z > sigmaFactor {
                consecutiveFirings += 1
                firingLosses.append(loss)
                if let limit = maximumConsecutiveFirings, firingLosses.count > limit { firingLosses.removeFirst() }
                let spread = firingLosses.max()! - firingLosses.min()!
                let magnitude = SampleStatistics.mean(firingLosses.map { Swift.abs($0) })
                if let limit = maximumConsecutiveFirings, consecutiveFirings > limit, spread <= 0.5 * magnitude {
                    // A lasting level, not a spike: restart the statistics from it.
                    findings.append("loss \(findingNumber(loss)) stayed \(sigmaFactor) σ away for \(limit) steps: accepted as the new level")
                    recentLosses = [loss]
                    consecutiveFirings = 0
                    firingLosses.removeAll(keepingCapacity: true)
                    return .proceed
                }
                let reason = "loss \(findingNumber(loss)) is \(findingNumber(z)) σ from the mean \(findingNumber(mu)) of the last \(recentLosses.count) steps (limit \(sigmaFactor) σ)"
                findings.append(reason)
                return action.verdict(reason: reason)
            }
        }
        consecutiveFirings = 0
        firingLosses.removeAll(keepingCapacity: true)
        recentLosses.append(loss)
        if recentLosses.count > window { recentLosses.removeFirst(recentLosses.count - window) }
        return .proceed
    }
}
