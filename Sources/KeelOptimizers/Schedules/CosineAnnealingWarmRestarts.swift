/// Cosine annealing with warm restarts, SGDR (PyTorch's `CosineAnnealingWarmRestarts`).
///
/// The i-th period lasts T_i = T₀·T_multⁱ steps; within it, at T_cur steps since the restart,
///
/// ```
/// η_t = η_min + (η₀ − η_min)·(1 + cos(π·T_cur / T_i)) / 2
/// ```
///
/// so the rate jumps back to η₀ at steps T₀, T₀ + T₀·T_mult, …
///
/// - Parameters:
///   - initialValue: η₀.
///   - firstPeriod: T₀ (> 0).
///   - periodMultiplier: T_mult (≥ 1, default 1).
///   - minimumValue: η_min (default 0).
///
/// ## References
/// Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017.
public struct CosineAnnealingWarmRestarts: LearningRateSchedule, Hashable {
    /// η₀, the value at step 0 and after every restart.
    public let initialValue: Double
    /// T₀, the length in steps of the first period (> 0).
    public let firstPeriod: Int
    /// T_mult, the factor by which each period is longer than the previous one (≥ 1).
    public let periodMultiplier: Int
    /// η_min, the value approached at the end of every period.
    public let minimumValue: Double

    /// A schedule restarting at `initialValue` after periods of T₀, T₀·T_mult, … steps.
    ///
    /// - Precondition: `firstPeriod` > 0 and `periodMultiplier` ≥ 1.
    public init(initialValue: Double, firstPeriod: Int, periodMultiplier: Int = 1, minimumValue: Double = 0) {
        precondition(firstPeriod > 0, "CosineAnnealingWarmRestarts: firstPeriod \(firstPeriod) must be > 0")
        precondition(periodMultiplier >= 1, "CosineAnnealingWarmRestarts: periodMultiplier \(periodMultiplier) must be ≥ 1")
        self.initialValue = initialValue
        self.firstPeriod = firstPeriod
        self.periodMultiplier = periodMultiplier
        self.minimumValue = minimumValue
    }

    public func value(at step: Int) -> Double {
        var sinceRestart = max(step, 0)
        var period = firstPeriod
        if periodMultiplier == 1 {
            sinceRestart %= period
        } else {
            while sinceRestart >= period {
                sinceRestart -= period
                period *= periodMultiplier
            }
        }
        return cosineInterpolation(from: initialValue, to: minimumValue, fraction: Double(sinceRestart) / Double(period))
    }
}
