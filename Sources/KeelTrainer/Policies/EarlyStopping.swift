/// Stops training when a validation metric stops improving, as Keras' `EarlyStopping`.
///
/// An evaluation improves on the best value so far when, in `.min` mode,
/// `value < best − minDelta` (`.max`: `value > best + minDelta`). After `patience` evaluations in
/// a row without improvement, ``Trainer/fit(epochs:source:validation:maxSteps:)`` returns with
/// ``StopReason/earlyStopping(best:evaluations:)``. The state (best, evaluations since) is part
/// of checkpoints and rollback snapshots.
public struct EarlyStopping: Codable, Hashable, Sendable {
    /// Which validation metric is watched.
    public enum Metric: String, Codable, Hashable, Sendable {
        /// ``ValidationMetrics/loss``.
        case loss
        /// ``ValidationMetrics/accuracy`` (evaluations without accuracy are ignored).
        case accuracy
    }

    /// Whether smaller (`min`) or larger (`max`) is better.
    public enum Mode: String, Codable, Hashable, Sendable {
        /// Smaller is better (losses).
        case min
        /// Larger is better (accuracy).
        case max
    }

    /// The watched metric.
    public var metric: Metric
    /// Evaluations without improvement tolerated before stopping (≥ 1).
    public var patience: Int
    /// The smallest change that counts as an improvement (≥ 0).
    public var minDelta: Double
    /// Whether smaller or larger is better.
    public var mode: Mode
    /// The best value seen so far.
    public private(set) var best: Double?
    /// Evaluations since the best one.
    public private(set) var evaluationsWithoutImprovement = 0

    /// A policy watching `metric`.
    public init(metric: Metric = .loss, patience: Int, minDelta: Double = 0, mode: Mode = .min) {
        precondition(patience >= 1, "EarlyStopping: patience \(patience) must be ≥ 1")
        precondition(minDelta >= 0, "EarlyStopping: minDelta \(minDelta) must be ≥ 0")
        self.metric = metric
        self.patience = patience
        self.minDelta = minDelta
        self.mode = mode
    }

    /// Records one evaluation; returns `true` when training should stop.
    public mutating func record(_ value: Double) -> Bool {
        let improved: Bool
        if let best {
            improved = mode == .min ? value < best - minDelta : value > best + minDelta
        } else {
            improved = !value.isNaN
        }
        if improved {
            best = value
            evaluationsWithoutImprovement = 0
        } else {
            evaluationsWithoutImprovement += 1
        }
        return evaluationsWithoutImprovement >= patience
    }
}
