/// The case of a `MonitorVerdict` without its payload: the `verdict` string in event JSON.
public enum VerdictKind: String, Sendable, Codable, Hashable, CaseIterable {
    /// `MonitorVerdict.proceed`.
    case proceed
    /// `MonitorVerdict.skipUpdate(reason:)`.
    case skipUpdate
    /// `MonitorVerdict.scaleLearningRate(factor:reason:)`.
    case scaleLearningRate
    /// `MonitorVerdict.rollback(reason:)`.
    case rollback
    /// `MonitorVerdict.stop(reason:)`.
    case stop

    /// The kind of `verdict`.
    public init(_ verdict: MonitorVerdict) {
        switch verdict {
        case .proceed: self = .proceed
        case .skipUpdate: self = .skipUpdate
        case .scaleLearningRate: self = .scaleLearningRate
        case .rollback: self = .rollback
        case .stop: self = .stop
        }
    }
}
