import Foundation

/// The laws every `Monitor` keeps.
public enum MonitorLaw: String, ConformanceLaw {
    /// The author's scripted observations give the declared verdicts.
    case scriptedVerdicts
    /// A JSON round trip of the monitor at any point of the script continues identically
    /// (verdicts and reasons).
    case codableRoundTripContinues
    /// Running a copy of the monitor leaves the original's verdicts unchanged (no class-backed
    /// history).
    case copiesAreIndependent

    public var summary: String {
        switch self {
        case .scriptedVerdicts: "scripted observations give the declared verdicts"
        case .codableRoundTripContinues: "a JSON round trip continues identically"
        case .copiesAreIndependent: "copies do not share history"
        }
    }
}

/// The verdict a scripted step expects: the kind, and the factor for a learning-rate change
/// (reasons are free text and not compared).
public enum ExpectedVerdict: Sendable, Hashable, CustomStringConvertible {
    case proceed
    case skipUpdate
    case scaleLearningRate(factor: Double)
    case rollback
    case stop

    /// Whether `verdict` is of this kind (and has this factor).
    public func matches(_ verdict: MonitorVerdict) -> Bool {
        switch (self, verdict) {
        case (.proceed, .proceed), (.skipUpdate, .skipUpdate), (.rollback, .rollback), (.stop, .stop): true
        case (.scaleLearningRate(let expected), .scaleLearningRate(let factor, _)): Swift.abs(expected - factor) <= 1e-12 * Swift.abs(expected)
        default: false
        }
    }

    public var description: String {
        switch self {
        case .proceed: "proceed"
        case .skipUpdate: "skip update"
        case .scaleLearningRate(let factor): "scale learning rate by \(factor)"
        case .rollback: "roll back"
        case .stop: "stop"
        }
    }
}

/// One step of a monitor's script: an observation and the verdict it must give.
public struct ScriptedStep: Sendable {
    /// What the monitor is shown at this step.
    public var observation: StepObservation
    /// The verdict the monitor must give for it.
    public var expected: ExpectedVerdict

    /// A step that shows `observation` and expects `expected`.
    public init(_ observation: StepObservation, expect expected: ExpectedVerdict) {
        self.observation = observation
        self.expected = expected
    }

    /// A step with one parameter `weight` whose gradient norm is `gradientNorm`.
    public static func step(
        _ step: Int, loss: Double, gradientNorm: Double = 1, learningRate: Double = 0.1, expect expected: ExpectedVerdict
    ) -> ScriptedStep {
        ScriptedStep(
            StepObservation(
                step: step, epoch: 0, loss: loss, learningRate: learningRate, parameterKeys: ["weight"],
                gradientNorms: [gradientNorm], globalGradientNorm: gradientNorm,
                nonFiniteCounts: [gradientNorm.isFinite ? 0 : 1], firstNonFiniteKey: gradientNorm.isFinite ? nil : "weight"),
            expect: expected)
    }
}

/// Checks the ``MonitorLaw``s for one monitor against the author's script.
///
/// ```swift
/// @Test(arguments: MonitorLaw.allCases)
/// func lossGuard(law: MonitorLaw) throws {
///     try MonitorConformance(LossGuardMonitor(), script: [
///         .step(0, loss: 1, expect: .proceed),
///         .step(1, loss: .nan, expect: .skipUpdate),
///     ]).check(law)
/// }
/// ```
public struct MonitorConformance<Candidate: Monitor>: Sendable {
    /// The monitor under test, in its initial state.
    public var monitor: Candidate
    /// Its name in failures.
    public var name: String
    /// The script.
    public var script: [ScriptedStep]

    /// A suite for `monitor`, named `name` in failures (default: the monitor's ``Monitor/name``),
    /// driven by `script`.
    ///
    /// - Precondition: `script` has at least 2 steps.
    public init(_ monitor: Candidate, name: String? = nil, script: [ScriptedStep]) {
        precondition(script.count >= 2, "MonitorConformance: a script needs at least 2 steps, got \(script.count)")
        self.monitor = monitor
        self.name = name ?? monitor.name
        self.script = script
    }

    /// Checks one law; throws a ``ConformanceFailure`` when it does not hold.
    public func check(_ law: MonitorLaw) throws {
        try runLaw(law, component: name, seed: 0) {
            switch law {
            case .scriptedVerdicts: try checkScript()
            case .codableRoundTripContinues: try checkRoundTrip()
            case .copiesAreIndependent: try checkCopies()
            }
        }
    }

    /// Checks every law, throwing the first failure.
    public func checkAll() throws {
        for law in MonitorLaw.allCases { try check(law) }
    }

    /// Every law's result, for summaries.
    public func results() -> [LawResult] {
        collectResults(MonitorLaw.allCases, component: name, check)
    }

    func run(_ monitor: inout Candidate, _ steps: ArraySlice<ScriptedStep>) -> [MonitorVerdict] {
        steps.map { monitor.inspect($0.observation) }
    }

    func checkScript() throws {
        var monitor = self.monitor
        for (index, step) in script.enumerated() {
            let verdict = monitor.inspect(step.observation)
            guard step.expected.matches(verdict) else {
                throw Violation(
                    "step \(index) (loss \(step.observation.loss), ‖g‖ \(step.observation.globalGradientNorm)): "
                        + "expected \(step.expected), got \(verdict)",
                    sample: "the first \(index + 1) steps of the script")
            }
        }
    }

    func checkRoundTrip() throws {
        var reference = monitor
        let expected = run(&reference, script[...])
        for split in 1..<script.count {
            var first = monitor
            var verdicts = run(&first, script[..<split])
            var decoded: Candidate
            do {
                decoded = try makeDecoder().decode(Candidate.self, from: makeEncoder().encode(first))
            } catch {
                throw Violation("the monitor does not round-trip through JSON after step \(split - 1): \(error)")
            }
            verdicts += run(&decoded, script[split...])
            if let index = expected.indices.first(where: { expected[$0] != verdicts[$0] }) {
                throw Violation(
                    "after a JSON round trip following step \(split - 1), step \(index) gives \(verdicts[index]) instead of \(expected[index])",
                    sample: "round trip after \(split) steps")
            }
        }
    }

    func checkCopies() throws {
        for split in 1..<script.count {
            var original = monitor
            _ = run(&original, script[..<split])
            var copy = original
            let fromCopy = run(&copy, script[split...])
            let fromOriginal = run(&original, script[split...])
            if let index = fromCopy.indices.first(where: { fromCopy[$0] != fromOriginal[$0] }) {
                throw Violation(
                    "after running a copy from step \(split), the original gives \(fromOriginal[index]) at step \(split + index) "
                        + "instead of \(fromCopy[index])",
                    sample: "copy after \(split) steps")
            }
        }
    }
}
