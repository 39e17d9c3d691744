/// The distribution of the global gradient norm over K steps of training at one rate, without
/// clipping, and the clip threshold it suggests.
///
/// **Threshold rule.** The median of the K norms. Pascanu et al. advise "a threshold around the
/// average norm over a sufficiently large number of updates"; the median is that average made
/// robust to the few huge norms an explosion produces. Clipping at it rescales about half of the
/// early updates, as their MSGD-CR runs did (46% in VALIDATION.md row d″).
///
/// **Explosion monitor.** `firings` counts the steps at which a `GradientExplosionMonitor` with
/// its defaults (×100 over the minimum of the last 10 norms) would have fired on these norms.
///
/// ## References
/// - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
///   networks", ICML 2013, §3.2.
public struct GradientNormProbe: Sendable, Codable, Hashable {
    /// The optimizer probed.
    public var optimizer: String
    /// The rate of every step.
    public var learningRate: Double
    /// ‖g‖ of each step taken (non-finite ones included).
    public var norms: [Double]
    /// The training loss of each step taken.
    public var losses: [Double]
    /// The median, 90th and 99th percentile and largest finite norm.
    public var median: Double, percentile90: Double, percentile99: Double, maximum: Double
    /// The clip threshold of the rule: the median.
    public var clipThreshold: Double
    /// Steps at which the default explosion monitor would have fired.
    public var explosionFirings: Int
    /// Steps with a non-finite gradient.
    public var nonFiniteSteps: Int
    /// Steps planned; fewer were taken when the time ran out.
    public var plannedSteps: Int
    /// Whether the time budget cut the probe short.
    public var timedOut: Bool

    /// The probe's result from its norms; computes the statistics and the threshold.
    public init(
        optimizer: String, learningRate: Double, norms: [Double], losses: [Double], explosionFirings: Int, plannedSteps: Int,
        timedOut: Bool
    ) {
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.norms = norms
        self.losses = losses
        median = percentile(norms, 0.5)
        percentile90 = percentile(norms, 0.9)
        percentile99 = percentile(norms, 0.99)
        maximum = norms.filter(\.isFinite).max() ?? .nan
        clipThreshold = median
        self.explosionFirings = explosionFirings
        nonFiniteSteps = norms.filter { !$0.isFinite }.count
        self.plannedSteps = plannedSteps
        self.timedOut = timedOut
    }

    /// The share of steps whose norm exceeds `threshold`.
    public func fractionAbove(_ threshold: Double) -> Double {
        norms.isEmpty ? 0 : Double(norms.filter { !($0 <= threshold) }.count) / Double(norms.count)
    }
}
