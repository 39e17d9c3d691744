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
public struct LossSpikeMonitor: Monitor, FindingReporter {
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
    public init(
        window: Int = 128, warmUp: Int = 20, sigmaFactor: Double = 6, upwardOnly: Bool = false,
        minimumStandardDeviation: Double = 1e-12, relativeStandardDeviationFloor: Double = 1e-3,
        action: MonitorAction = .skipUpdate
    ) {
        precondition(window >= 2 && warmUp >= 2 && warmUp <= window, "LossSpikeMonitor: need 2 ≤ warmUp ≤ window")
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
                let reason = "loss \(loss) is \(z) σ from the mean \(mu) of the last \(recentLosses.count) steps (limit \(sigmaFactor) σ)"
                findings.append(reason)
                return action.verdict(reason: reason)
            }
        }
        recentLosses.append(loss)
        if recentLosses.count > window { recentLosses.removeFirst(recentLosses.count - window) }
        return .proceed
    }
}
