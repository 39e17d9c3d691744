/// Watches each training step and says what the trainer should do: the detector half of Keel's
/// detector → action policy.
///
/// A monitor sees one ``StepObservation`` per step, after backward and before the gradient
/// pipeline, and returns a ``MonitorVerdict``. Monitors keep their own history (a struct's
/// properties, updated in ``inspect(_:)``), so the trainer can checkpoint them with `Codable`.
///
/// Every capability a composite (a `MonitorSet`, or one of your own) forwards is a requirement
/// with a default, so a third-party monitor has the same hooks as a built-in one:
/// - ``findings``: what the detectors saw in the last step, even when the verdict is
///   ``MonitorVerdict/proceed`` (warnings); default none.
/// - ``needs(atStep:)``: the costly statistics read at a given step (σ_max every N steps, say);
///   default ``needs`` on every step.
/// - ``recordClipReports(_:)``: the step's gradient-pipeline reports, after the pipeline ran;
///   default ignores them.
///
/// Per step the trainer calls `needs(atStep:)`, then `inspect(_:)` and reads `findings`, then,
/// when the update was not skipped, `recordClipReports(_:)`.
public protocol Monitor: Sendable, Codable {
    /// A short name for reports and events, e.g. `GradientExplosionMonitor`.
    var name: String { get }

    /// The costly statistics this monitor reads; the default is none.
    var needs: ObservationNeeds { get }

    /// What the monitor will read in the observation of step `step`; the default is ``needs``.
    /// Override it to compute costly statistics only on the steps that use them.
    func needs(atStep step: Int) -> ObservationNeeds

    /// Inspects one step and returns what to do. Called exactly once per step.
    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict

    /// Human-readable findings of the last call to ``inspect(_:)``; empty when nothing fired. A
    /// finding with a ``MonitorVerdict/proceed`` verdict is a warning: it reaches the event
    /// stream as a `monitorFired` event without changing what the trainer does. Default: none.
    var findings: [String] { get }

    /// Receives the reports of the gradient pipeline for the step just inspected (clip reports
    /// and other transforms' notes, in pipeline order; optimizer reports are left out), after the
    /// pipeline ran. Not called on steps whose update was skipped. Default: ignored.
    ///
    /// Read clip measurements with ``TransformReport/clip``; a step counts as clipped when any
    /// report ``TransformReport/isFiredClip``.
    mutating func recordClipReports(_ reports: [TransformReport])
}

extension Monitor {
    public var needs: ObservationNeeds { [] }
    public var name: String { String(describing: Self.self) }
    public func needs(atStep step: Int) -> ObservationNeeds { needs }
    public var findings: [String] { [] }
    public mutating func recordClipReports(_ reports: [TransformReport]) {}
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
