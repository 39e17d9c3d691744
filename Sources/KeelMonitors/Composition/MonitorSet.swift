/// Runs several monitors on each step, combines their verdicts, and attaches an explosion
/// attribution when any of them fires: the single detector → action policy the trainer consults.
///
/// - **Verdict**: the most severe member verdict wins (`MonitorVerdict.severity`); every
///   non-proceed reason is kept, prefixed by the member's name and joined by "; ". Among several
///   `MonitorVerdict.scaleLearningRate(factor:reason:)` verdicts the smallest factor wins.
/// - **Needs**: the union of the members' (and the attributor's) needs; ``needs(atStep:)`` asks
///   every member's `Monitor.needs(atStep:)`.
/// - **Attribution**: when a member returns a non-proceed verdict (or reports findings, when
///   `attributeWarnings`), ``evaluate(_:)`` asks the ``ExplosionAttributor`` for a ranked report
///   against the statistics from before the step; the attributor then learns only from steps
///   where nothing fired.
/// - **Codable**: members are encoded by type tag (see ``MonitorRegistry`` for why); decoding
///   uses the registry in `userInfo[MonitorRegistry.userInfoKey]`, or the built-ins.
///
/// The trainer calls ``evaluate(_:)`` once per step (``inspect(_:)`` is the same without the
/// details) and, after the gradient pipeline, ``recordClipReports(_:)``.
public struct MonitorSet: Monitor {
    /// The members, in the order they run and are reported.
    public var monitors: [any Monitor]
    /// The attributor whose report is attached when anything fires (nil: no attribution).
    public var attributor: ExplosionAttributor?
    /// Whether warnings (findings with a proceed verdict) also get an attribution report.
    public var attributeWarnings: Bool
    /// The outcome of the last evaluated step (not encoded).
    public private(set) var lastOutcome: MonitorSetOutcome?

    /// - Parameters:
    ///   - monitors: the members.
    ///   - attributor: the attributor for reports (nil: none).
    ///   - attributeWarnings: attach reports to warnings too.
    public init(_ monitors: [any Monitor], attributor: ExplosionAttributor? = ExplosionAttributor(), attributeWarnings: Bool = false) {
        self.monitors = monitors
        self.attributor = attributor
        self.attributeWarnings = attributeWarnings
    }

    /// The recommended set: ``NonFiniteMonitor``, ``GradientExplosionMonitor``,
    /// ``LossSpikeMonitor``, ``VanishingGradientMonitor`` and a ``GradientNormTracker``, with
    /// their defaults and an attributor.
    public static var standard: MonitorSet {
        MonitorSet([
            NonFiniteMonitor(), GradientExplosionMonitor(), LossSpikeMonitor(), VanishingGradientMonitor(),
            GradientNormTracker(),
        ])
    }

    public var name: String { "MonitorSet" }

    public var needs: ObservationNeeds {
        monitors.reduce(attributor?.needs ?? []) { $0.union($1.needs) }
    }

    /// The union of what the attributor and every member need at `step`
    /// (`Monitor.needs(atStep:)`).
    public func needs(atStep step: Int) -> ObservationNeeds {
        monitors.reduce(attributor?.needs ?? []) { $0.union($1.needs(atStep: step)) }
    }

    /// The findings of the last evaluated step, as "name: finding".
    public var findings: [String] {
        (lastOutcome?.firings ?? []).flatMap { firing in firing.findings.map { "\(firing.monitor): \($0)" } }
    }

    public mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        evaluate(observation).verdict
    }

    /// Runs every member once on `observation` and returns the combined outcome.
    public mutating func evaluate(_ observation: StepObservation) -> MonitorSetOutcome {
        var firings: [MonitorFiring] = []
        var reasons: [MonitorVerdict] = []
        for index in monitors.indices {
            var monitor = monitors[index]
            let verdict = monitor.inspect(observation)
            let findings = monitor.findings
            monitors[index] = monitor
            if verdict.severity > 0 || !findings.isEmpty {
                firings.append(
                    MonitorFiring(
                        monitor: monitor.name, verdict: verdict,
                        findings: findings.isEmpty ? verdict.reason.map { [$0] } ?? [] : findings))
            }
            if verdict.severity > 0 {
                reasons.append(Self.prefixing(verdict, with: monitor.name))
            }
        }
        let verdict = Self.combine(reasons)
        var report: AttributionReport?
        if let attributor, verdict.severity > 0 || (attributeWarnings && !firings.isEmpty) {
            report = attributor.report(for: observation)
        }
        attributor?.observe(observation, healthy: verdict.severity == 0)
        let outcome = MonitorSetOutcome(step: observation.step, verdict: verdict, firings: firings, attribution: report)
        lastOutcome = outcome
        return outcome
    }

    /// Combines verdicts: the most severe wins, carrying every non-proceed reason joined by "; "
    /// (the smallest factor among learning-rate scalings).
    public static func combine(_ verdicts: [MonitorVerdict]) -> MonitorVerdict {
        let acting = verdicts.filter { $0.severity > 0 }
        guard let worst = acting.max(by: { $0.severity < $1.severity }) else { return .proceed }
        let reason = acting.compactMap(\.reason).joined(separator: "; ")
        switch worst {
        case .proceed: return .proceed
        case .skipUpdate: return .skipUpdate(reason: reason)
        case .rollback: return .rollback(reason: reason)
        case .stop: return .stop(reason: reason)
        case .scaleLearningRate:
            let factor = acting.compactMap { verdict -> Double? in
                if case .scaleLearningRate(let factor, _) = verdict { return factor }
                return nil
            }.min() ?? 1
            return .scaleLearningRate(factor: factor, reason: reason)
        }
    }

    static func prefixing(_ verdict: MonitorVerdict, with name: String) -> MonitorVerdict {
        switch verdict {
        case .proceed: .proceed
        case .skipUpdate(let reason): .skipUpdate(reason: "\(name): \(reason)")
        case .rollback(let reason): .rollback(reason: "\(name): \(reason)")
        case .stop(let reason): .stop(reason: "\(name): \(reason)")
        case .scaleLearningRate(let factor, let reason): .scaleLearningRate(factor: factor, reason: "\(name): \(reason)")
        }
    }

    /// Passes the gradient pipeline's reports of the step just evaluated to every member
    /// (`Monitor.recordClipReports(_:)`; call after the pipeline ran).
    public mutating func recordClipReports(_ reports: [TransformReport]) {
        for index in monitors.indices {
            monitors[index].recordClipReports(reports)
        }
    }

    /// The first member of type `M` (e.g. the ``GradientNormTracker`` for its statistics).
    public func first<M: Monitor>(_ type: M.Type) -> M? {
        monitors.lazy.compactMap { $0 as? M }.first
    }
}
