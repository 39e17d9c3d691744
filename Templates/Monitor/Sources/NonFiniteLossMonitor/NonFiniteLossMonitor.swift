import KeelCore

/// Skips a step whose loss or gradients hold NaN or ±∞, and stops training after `patience`
/// such steps in a row.
public struct NonFiniteLossMonitor: Monitor {
    /// How many non-finite steps in a row end training.
    public var patience: Int
    /// Non-finite steps seen in a row so far: the monitor's history, saved in checkpoints.
    public private(set) var consecutive = 0

    /// A monitor that stops after `patience` (default 3) non-finite steps in a row.
    ///
    /// - Precondition: `patience` ≥ 1.
    public init(patience: Int = 3) {
        precondition(patience >= 1, "NonFiniteLossMonitor: patience \(patience) must be ≥ 1")
        self.patience = patience
    }

    public mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        guard observation.hasNonFiniteValues else {
            consecutive = 0
            return .proceed
        }
        consecutive += 1
        if consecutive >= patience { return .stop(reason: "\(consecutive) non-finite steps in a row") }
        return .skipUpdate(reason: "non-finite loss or gradient (\(consecutive) in a row)")
    }
}
