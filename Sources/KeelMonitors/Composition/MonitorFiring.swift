/// One member of a ``MonitorSet`` that fired (or warned) in a step.
public struct MonitorFiring: Sendable, Codable, Hashable {
    /// The member's `Monitor.name`.
    public var monitor: String
    /// What the member returned (`MonitorVerdict.proceed` for a warning).
    public var verdict: MonitorVerdict
    /// The member's findings (see `Monitor.findings`), or its verdict's reason.
    public var findings: [String]

    /// A firing.
    public init(monitor: String, verdict: MonitorVerdict, findings: [String]) {
        self.monitor = monitor
        self.verdict = verdict
        self.findings = findings
    }
}
