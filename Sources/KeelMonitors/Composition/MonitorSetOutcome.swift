/// What a ``MonitorSet`` concluded about one step: the combined verdict, every member that fired or
/// warned, and an attribution report when any did.
public struct MonitorSetOutcome: Sendable, Codable, Hashable {
    /// The step.
    public var step: Int
    /// The most severe member verdict, with all non-proceed reasons joined by "; " (see
    /// ``MonitorSet/combine(_:)``).
    public var verdict: MonitorVerdict
    /// Members that returned a non-proceed verdict or reported findings, in member order.
    public var firings: [MonitorFiring]
    /// The ranked attribution of the step, when anything fired or warned.
    public var attribution: AttributionReport?

    /// An outcome.
    public init(step: Int, verdict: MonitorVerdict, firings: [MonitorFiring], attribution: AttributionReport?) {
        self.step = step
        self.verdict = verdict
        self.firings = firings
        self.attribution = attribution
    }

    /// Whether the trainer should act (the verdict is not `MonitorVerdict.proceed`).
    public var requiresAction: Bool { verdict.severity > 0 }
}
