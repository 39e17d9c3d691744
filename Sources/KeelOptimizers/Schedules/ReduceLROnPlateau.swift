/// Lowers the learning rate when a metric stops improving, with PyTorch's semantics
/// (`ReduceLROnPlateau`): a trainer policy (`TrainerConfiguration.plateau`) that owns no rate.
/// The trainer feeds it each validation metric with the rate in force and multiplies its one
/// learning-rate multiplier by the ratio of the rate returned to the rate given:
///
/// ```swift
/// var plateau = ReduceLROnPlateau(patience: 5)
/// let next = plateau.step(metric: validationLoss, learningRate: rateInForce)
/// ```
///
/// Each ``step(metric:learningRate:)``: the metric is *better* than the best so far when (mode `min`,
/// threshold mode relative) metric < best·(1 − threshold); (min, absolute) metric < best −
/// threshold; (max, relative) metric > best·(1 + threshold); (max, absolute) metric > best +
/// threshold. A better metric becomes the best and clears the count of bad steps; otherwise the
/// count grows. During cooldown the count is held at 0. When the count exceeds `patience`, the
/// rate becomes max(rate·factor, minimumLearningRate) (a change smaller than 1e-8 is ignored),
/// cooldown starts and the count is cleared. A NaN metric is never better.
///
/// Unlike a ``LearningRateSchedule`` it has state, which is `Codable` for checkpoints.
public struct ReduceLROnPlateau: Codable, Sendable, Hashable {
    /// Whether lower or higher metrics are better.
    public enum Mode: String, Codable, Sendable, Hashable {
        /// Lower is better (a loss).
        case min
        /// Higher is better (an accuracy).
        case max
    }

    /// Whether `threshold` is a fraction of the best metric or an absolute amount.
    public enum ThresholdMode: String, Codable, Sendable, Hashable {
        /// Improvement must beat the best by a fraction `threshold` of it.
        case relative
        /// Improvement must beat the best by `threshold` itself.
        case absolute
    }

    /// Whether lower (`.min`) or higher (`.max`) metrics are better.
    public let mode: Mode
    /// The multiplier applied to the rate at each reduction, in [0, 1).
    public let factor: Double
    /// The number of bad steps tolerated before a reduction (≥ 0): the rate drops on bad step
    /// `patience` + 1.
    public let patience: Int
    /// The least change that counts as an improvement, read according to ``thresholdMode``.
    public let threshold: Double
    /// Whether ``threshold`` is a fraction of the best metric or an absolute amount.
    public let thresholdMode: ThresholdMode
    /// The number of steps after a reduction during which bad steps are not counted (≥ 0).
    public let cooldown: Int
    /// The floor below which reductions never take the rate.
    public let minimumLearningRate: Double

    /// The best metric seen so far (`nil` before the first one).
    public private(set) var best: Double?
    /// Consecutive steps without improvement.
    public private(set) var badSteps = 0
    /// Steps of cooldown left.
    public private(set) var cooldownRemaining = 0

    /// A plateau detector with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - mode: `.min` (default) when lower metrics are better.
    ///   - factor: the multiplier per reduction (default 0.1, must be < 1).
    ///   - patience: bad steps tolerated before a reduction (default 10).
    ///   - threshold: the least change that counts as improvement (default 1e-4).
    ///   - thresholdMode: relative (default) or absolute.
    ///   - cooldown: steps after a reduction during which bad steps are not counted (default 0).
    ///   - minimumLearningRate: the floor (default 0).
    /// - Precondition: 0 ≤ `factor` < 1, `patience` ≥ 0 and `cooldown` ≥ 0.
    public init(
        mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
        threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
        minimumLearningRate: Double = 0
    ) {
        precondition(factor < 1 && factor >= 0, "ReduceLROnPlateau: factor \(factor) must be in [0, 1)")
        precondition(patience >= 0, "ReduceLROnPlateau: patience \(patience) must be ≥ 0")
        precondition(cooldown >= 0, "ReduceLROnPlateau: cooldown \(cooldown) must be ≥ 0")
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
    }

    /// Records one metric and returns the learning rate to use from now on, given the rate in
    /// force (`learningRate` itself when there is no reduction).
    public mutating func step(metric: Double, learningRate: Double) -> Double {
        if isBetter(metric) {
            best = metric
            badSteps = 0
        } else {
            badSteps += 1
        }
        if cooldownRemaining > 0 {
            cooldownRemaining -= 1
            badSteps = 0
        }
        if badSteps > patience {
            let reduced = Swift.max(learningRate * factor, minimumLearningRate)
            cooldownRemaining = cooldown
            badSteps = 0
            if learningRate - reduced > 1e-8 { return reduced }
        }
        return learningRate
    }

    private func isBetter(_ metric: Double) -> Bool {
        guard !metric.isNaN else { return false }
        guard let best else { return true }
        switch (mode, thresholdMode) {
        case (.min, .relative): return metric < best * (1 - threshold)
        case (.min, .absolute): return metric < best - threshold
        case (.max, .relative): return metric > best * (1 + threshold)
        case (.max, .absolute): return metric > best + threshold
        }
    }
}
