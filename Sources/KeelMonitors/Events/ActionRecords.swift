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

/// The payload of ``TrainingEvent/actionTaken(_:)``: what the trainer did about a verdict.
///
/// JSON fields: `step`, `action` (``ActionKind``), `reason`, and when relevant `restoredStep`,
/// `skippedBatches` (array of batch indices), `previousLearningRate`, `newLearningRate`,
/// `retriesLeft`.
public struct ActionRecord: Sendable, Codable, Hashable {
    /// The step the action was taken at.
    public var step: Int
    /// What was done.
    public var action: ActionKind
    /// Why (usually the verdict's reason).
    public var reason: String
    /// For a rollback: the step of the restored snapshot.
    public var restoredStep: Int?
    /// Batches skipped (data-source indices), for a rollback or skip.
    public var skippedBatches: [Int]?
    /// The learning rate before a change.
    public var previousLearningRate: Double?
    /// The learning rate after a change.
    public var newLearningRate: Double?
    /// Rollbacks left in the retry budget.
    public var retriesLeft: Int?

    /// An action record.
    public init(
        step: Int, action: ActionKind, reason: String, restoredStep: Int? = nil, skippedBatches: [Int]? = nil,
        previousLearningRate: Double? = nil, newLearningRate: Double? = nil, retriesLeft: Int? = nil
    ) {
        self.step = step
        self.action = action
        self.reason = reason
        self.restoredStep = restoredStep
        self.skippedBatches = skippedBatches
        self.previousLearningRate = previousLearningRate
        self.newLearningRate = newLearningRate
        self.retriesLeft = retriesLeft
    }
}

/// What the trainer did in response to a verdict: the `action` string in event JSON.
public enum ActionKind: String, Sendable, Codable, Hashable, CaseIterable {
    /// The step's update was dropped.
    case skipUpdate
    /// The trainer restored an earlier state and skipped batches.
    case rollback
    /// The learning rate changed (a monitor's scaling, a plateau schedule, a rollback back-off).
    case learningRateChange
    /// Optimizer moments were reset.
    case resetOptimizerState
    /// Training stopped.
    case stop
}
