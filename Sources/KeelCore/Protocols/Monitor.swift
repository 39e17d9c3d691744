/// Watches each training step and says what the trainer should do: the detector half of Keel's
/// detector → action policy.
///
/// A monitor sees one ``StepObservation`` per step, after backward and before the gradient
/// pipeline, and returns a ``MonitorVerdict``. Monitors keep their own history (a struct's
/// properties, updated in ``inspect(_:)``), so the trainer can checkpoint them with `Codable`.
public protocol Monitor: Sendable, Codable {
    /// A short name for reports and events, e.g. `GradientExplosionMonitor`.
    var name: String { get }

    /// The costly statistics this monitor reads; the default is none.
    var needs: ObservationNeeds { get }

    /// Inspects one step and returns what to do. Called exactly once per step.
    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict
}

extension Monitor {
    public var needs: ObservationNeeds { [] }
    public var name: String { String(describing: Self.self) }
}

/// What a monitor asks the trainer to do about a step. When several monitors answer, the most
/// severe verdict wins (``severity``), and every reason is recorded.
public enum MonitorVerdict: Sendable, Codable, Hashable, CustomStringConvertible {
    /// Nothing wrong: apply the update.
    case proceed
    /// Drop this step's update (the parameters and optimizer state stay as they are).
    case skipUpdate(reason: String)
    /// Multiply the learning rate by `factor` from now on, then apply the update.
    case scaleLearningRate(factor: Double, reason: String)
    /// Restore the last good snapshot and skip the offending batch.
    case rollback(reason: String)
    /// End training.
    case stop(reason: String)

    /// proceed 0 < scaleLearningRate 1 < skipUpdate 2 < rollback 3 < stop 4.
    public var severity: Int {
        switch self {
        case .proceed: 0
        case .scaleLearningRate: 1
        case .skipUpdate: 2
        case .rollback: 3
        case .stop: 4
        }
    }

    /// The reason given, if any.
    public var reason: String? {
        switch self {
        case .proceed: nil
        case .skipUpdate(let reason), .rollback(let reason), .stop(let reason), .scaleLearningRate(_, let reason): reason
        }
    }

    public var description: String {
        switch self {
        case .proceed: "proceed"
        case .skipUpdate(let reason): "skip update (\(reason))"
        case .scaleLearningRate(let factor, let reason): "scale learning rate by \(factor) (\(reason))"
        case .rollback(let reason): "roll back (\(reason))"
        case .stop(let reason): "stop (\(reason))"
        }
    }
}
