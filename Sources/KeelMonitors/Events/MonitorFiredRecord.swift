/// The payload of ``TrainingEvent/monitorFired(_:)``: a monitor fired or warned.
///
/// JSON fields: `step`, `monitor`, `verdict` (`proceed`, `skipUpdate`, `scaleLearningRate`,
/// `rollback` or `stop`), `reason` (absent for proceed), `factor` (for `scaleLearningRate`),
/// `findings` (array of strings), `attribution` (an ``AttributionReport``, when attached).
public struct MonitorFiredRecord: Sendable, Hashable {
    /// The step.
    public var step: Int
    /// The monitor's name.
    public var monitor: String
    /// What it asked for (`MonitorVerdict.proceed` for a warning).
    public var verdict: MonitorVerdict
    /// What it saw.
    public var findings: [String]
    /// The ranked attribution of the step, if any.
    public var attribution: AttributionReport?

    /// A record.
    public init(step: Int, monitor: String, verdict: MonitorVerdict, findings: [String] = [], attribution: AttributionReport? = nil) {
        self.step = step
        self.monitor = monitor
        self.verdict = verdict
        self.findings = findings
        self.attribution = attribution
    }

    /// One record per firing of a ``MonitorSet`` outcome, the attribution on each.
    public static func records(from outcome: MonitorSetOutcome) -> [MonitorFiredRecord] {
        outcome.firings.map {
            MonitorFiredRecord(
                step: outcome.step, monitor: $0.monitor, verdict: $0.verdict, findings: $0.findings,
                attribution: outcome.attribution)
        }
    }
}

extension MonitorFiredRecord: Codable {
    private enum CodingKeys: String, CodingKey {
        case step, monitor, verdict, reason, factor, findings, attribution
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(step, forKey: .step)
        try container.encode(monitor, forKey: .monitor)
        try container.encode(VerdictKind(verdict), forKey: .verdict)
        try container.encodeIfPresent(verdict.reason, forKey: .reason)
        if case .scaleLearningRate(let factor, _) = verdict { try container.encode(factor, forKey: .factor) }
        try container.encode(findings, forKey: .findings)
        try container.encodeIfPresent(attribution, forKey: .attribution)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(VerdictKind.self, forKey: .verdict)
        let reason = try container.decodeIfPresent(String.self, forKey: .reason) ?? ""
        let verdict: MonitorVerdict =
            switch kind {
            case .proceed: .proceed
            case .skipUpdate: .skipUpdate(reason: reason)
            case .rollback: .rollback(reason: reason)
            case .stop: .stop(reason: reason)
            case .scaleLearningRate:
                .scaleLearningRate(factor: try container.decode(Double.self, forKey: .factor), reason: reason)
            }
        self.init(
            step: try container.decode(Int.self, forKey: .step), monitor: try container.decode(String.self, forKey: .monitor),
            verdict: verdict, findings: try container.decodeIfPresent([String].self, forKey: .findings) ?? [],
            attribution: try container.decodeIfPresent(AttributionReport.self, forKey: .attribution))
    }
}
