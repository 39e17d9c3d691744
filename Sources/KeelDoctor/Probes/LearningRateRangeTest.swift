import Foundation

/// A learning-rate range test (Smith 2017; fastai's `lr_find`): a copy of the model trained for
/// K steps at exponentially increasing rates ηₖ = η_lo·(η_hi/η_lo)^{k/(K−1)}, the loss recorded
/// against the rate.
///
/// The curve is smoothed with an exponential moving average (β = 0.9, bias-corrected). The
/// **divergence point** is the first rate whose smoothed loss exceeds 4× the lowest so far, or
/// whose loss or gradient is not finite; the test stops there. The **suggested rate** is where the
/// smoothed loss falls fastest against log η before its minimum (fastai's "steep" suggestion: the
/// slope over a window of 5 steps, leaving out the first tenth of the test), at most a tenth of the divergence point, provided that the
/// lowest smoothed loss is at least 10% below the first one; otherwise the test saw no learning
/// and suggests nothing. (A tenth of the minimum's rate, the older rule, overshoots on tasks
/// whose loss first falls to a constant predictor's at any rate, as the adding problem's does.)
///
/// ## References
/// - L. N. Smith, "Cyclical learning rates for training neural networks", WACV 2017, §3.3.
public struct LearningRateRangeTest: Sendable, Codable, Hashable {
    /// The optimizer probed.
    public var optimizer: String
    /// The rate of each step taken.
    public var rates: [Double]
    /// The training loss of each step taken.
    public var losses: [Double]
    /// The smoothed loss of each step taken.
    public var smoothedLosses: [Double]
    /// The first rate at which the loss diverged, if it did within the range.
    public var divergenceRate: Double?
    /// The rate with the lowest smoothed loss, and that loss.
    public var minimumLossRate: Double
    /// The lowest smoothed loss.
    public var minimumLoss: Double
    /// The rate at which the smoothed loss fell fastest (before the minimum).
    public var steepestRate: Double?
    /// The rule's suggestion; `nil` when the loss never fell 10% below its start.
    public var suggestedRate: Double?
    /// Steps planned; fewer were taken when the loss diverged or the time ran out.
    public var plannedSteps: Int
    /// Whether the time budget cut the test short.
    public var timedOut: Bool

    /// The test's result from its curve; computes the divergence point, the minimum and the
    /// suggestion.
    public init(optimizer: String, rates: [Double], losses: [Double], plannedSteps: Int, timedOut: Bool) {
        self.optimizer = optimizer
        self.plannedSteps = plannedSteps
        self.timedOut = timedOut
        var smoothed: [Double] = []
        var average = 0.0
        var divergence: Int? = nil
        var lowest = Double.infinity
        for (index, loss) in losses.enumerated() {
            guard loss.isFinite else { divergence = index; break }
            average = 0.9 * average + 0.1 * loss
            let value = average / (1 - Foundation.pow(0.9, Double(index + 1)))
            if index > 0, value > 4 * lowest { divergence = index; break }
            lowest = min(lowest, value)
            smoothed.append(value)
        }
        let kept = smoothed.count
        self.rates = Array(rates.prefix(divergence.map { $0 + 1 } ?? rates.count))
        self.losses = Array(losses.prefix(self.rates.count))
        self.smoothedLosses = smoothed
        divergenceRate = divergence.map { rates[$0] }
        let best = smoothed.indices.min { smoothed[$0] < smoothed[$1] } ?? 0
        minimumLossRate = kept > 0 ? rates[best] : rates.first ?? .nan
        minimumLoss = kept > 0 ? smoothed[best] : .nan
        let window = 5
        var steepest: (slope: Double, rate: Double)? = nil
        // The first tenth (at least 5 steps) is left out: the smoothed loss there is still the
        // noise of single batches.
        let skip = max(5, plannedSteps / 10)
        if best > skip {
            for start in skip..<best {
                let end = min(start + window, best)
                let run = Foundation.log(rates[end]) - Foundation.log(rates[start])
                guard run > 0 else { continue }
                let slope = (smoothed[end] - smoothed[start]) / run
                if slope < (steepest?.slope ?? 0) { steepest = (slope, rates[(start + end) / 2]) }
            }
        }
        steepestRate = steepest?.rate
        if kept > 1, smoothed[best] < 0.9 * smoothed[0], let steep = steepest?.rate {
            suggestedRate = min(steep, (divergenceRate ?? .infinity) / 10)
        } else {
            suggestedRate = nil
        }
    }
}
