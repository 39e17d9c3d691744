/// What a built-in monitor asks for when its detector fires: the action half of Keel's
/// detector → action policy, chosen per monitor.
///
/// ``warn`` records a finding (see `Monitor.findings`) but lets the step proceed; every other
/// case maps to the `MonitorVerdict` of the same name.
public enum MonitorAction: Sendable, Codable, Hashable {
    /// Record a finding; the verdict stays `MonitorVerdict.proceed`.
    case warn
    /// Drop this step's update.
    case skipUpdate
    /// Multiply the learning rate by `factor` (e.g. 0.5) from now on.
    case scaleLearningRate(factor: Double)
    /// Restore the last good snapshot and skip the offending batch.
    case rollback
    /// End training.
    case stop

    /// The verdict this action returns when its detector fires with `reason`.
    public func verdict(reason: String) -> MonitorVerdict {
        switch self {
        case .warn: .proceed
        case .skipUpdate: .skipUpdate(reason: reason)
        case .scaleLearningRate(let factor): .scaleLearningRate(factor: factor, reason: reason)
        case .rollback: .rollback(reason: reason)
        case .stop: .stop(reason: reason)
        }
    }
}
