import Foundation

/// The laws every `Monitor` keeps.
///
/// Besides the author's script, the suite generates scripts (falling, flat, spiking and noisy
/// losses at magnitudes from 10⁻³⁰ to 10³⁰⁸, negative and zero losses, runs of NaN and ±∞, and
/// gradient norms to match) so a law is not only as strong as the script the author thought of.
public enum MonitorLaw: String, ConformanceLaw {
    /// The author's scripted observations give the declared verdicts.
    case scriptedVerdicts
    /// A JSON round trip of the monitor at any point of the author's and the generated scripts
    /// continues identically (verdicts and reasons).
    case codableRoundTripContinues
    /// Running a copy of the monitor leaves the original's verdicts unchanged (no class-backed
    /// history), on the author's and the generated scripts.
    case copiesAreIndependent
    /// A monitor declared to act only on non-finite losses proceeds on every finite loss, of any
    /// magnitude and sign, and never proceeds on NaN or ±∞ (not applicable unless declared).
    case nonFiniteOnlyAsDeclared
    /// A monitor declared scale-invariant gives the same verdicts when every loss (or gradient
    /// norm, as declared) is multiplied by 10⁻³ or 10³ (not applicable unless declared).
    case scaleInvarianceAsDeclared

    public var summary: String {
        switch self {
        case .scriptedVerdicts: "scripted observations give the declared verdicts"
        case .codableRoundTripContinues: "a JSON round trip continues identically"
        case .copiesAreIndependent: "copies do not share history"
        case .nonFiniteOnlyAsDeclared: "acts on non-finite losses only, as declared"
        case .scaleInvarianceAsDeclared: "verdicts do not depend on the loss or gradient scale, as declared"
        }
    }
}

/// What a monitor's author declares about it, for the laws that check declarations.
public struct MonitorDeclarations: Sendable, Hashable {
    /// Acts only on non-finite losses: proceeds on every finite observation, never on a NaN or ±∞ loss.
    public var actsOnlyOnNonFiniteLoss: Bool
    /// Verdicts unchanged when every loss is multiplied by c > 0 (relative thresholds).
    public var lossScaleInvariant: Bool
    /// Verdicts unchanged when every gradient norm is multiplied by c > 0.
    public var gradientScaleInvariant: Bool

    /// Declarations; everything is off by default.
    public init(actsOnlyOnNonFiniteLoss: Bool = false, lossScaleInvariant: Bool = false, gradientScaleInvariant: Bool = false) {
        self.actsOnlyOnNonFiniteLoss = actsOnlyOnNonFiniteLoss
        self.lossScaleInvariant = lossScaleInvariant
        self.gradientScaleInvariant = gradientScaleInvariant
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
    /// What the author declares about the monitor.
    public var declarations: MonitorDeclarations
    /// The seed of the generated scripts.
    public var seed: UInt64

    /// A suite for `monitor`, named `name` in failures (default: the monitor's `Monitor.name`),
    /// driven by `script` and by generated scripts.
    ///
    /// - Precondition: `script` has at least 2 steps.
    public init(
        _ monitor: Candidate, name: String? = nil, script: [ScriptedStep], declarations: MonitorDeclarations = MonitorDeclarations(),
        seed: UInt64 = 0x5EED
    ) {
        precondition(script.count >= 2, "MonitorConformance: a script needs at least 2 steps, got \(script.count)")
        self.monitor = monitor
        self.name = name ?? monitor.name
        self.script = script
        self.declarations = declarations
        self.seed = seed
    }

    /// Checks one law; throws a ``ConformanceFailure`` when it does not hold.
    public func check(_ law: MonitorLaw) throws {
        try evaluate(law).throwIfFailed()
    }

    /// One law's result: passed, failed, not applicable or not verified (logged for
    /// `check-conformance`).
    public func evaluate(_ law: MonitorLaw) -> LawResult {
        evaluateLaw(law, component: name, seed: seed) {
            switch law {
            case .scriptedVerdicts: try checkScript()
            case .codableRoundTripContinues: try checkRoundTrip()
            case .copiesAreIndependent: try checkCopies()
            case .nonFiniteOnlyAsDeclared: try checkNonFiniteOnly()
            case .scaleInvarianceAsDeclared: try checkScaleInvariance()
            }
        }
    }

    /// Checks every law, throwing the first failure.
    public func checkAll() throws {
        for law in MonitorLaw.allCases { try check(law) }
    }

    /// Every law's result, for summaries.
    public func results() -> [LawResult] {
        MonitorLaw.allCases.map(evaluate)
    }

    func run(_ monitor: inout Candidate, _ steps: ArraySlice<ScriptedStep>) -> [MonitorVerdict] {
        steps.map { monitor.inspect($0.observation) }
    }

    func run(_ monitor: inout Candidate, _ observations: ArraySlice<StepObservation>) -> [MonitorVerdict] {
        observations.map { monitor.inspect($0) }
    }

    /// The author's script and the generated ones, as observation sequences with names.
    var allScripts: [(name: String, observations: [StepObservation])] {
        [("the author's script", script.map(\.observation))] + MonitorScripts.generated(seed: seed)
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
        for (scriptName, observations) in allScripts {
            var reference = monitor
            let expected = run(&reference, observations[...])
            for split in 1..<observations.count {
                var first = monitor
                var verdicts = run(&first, observations[..<split])
                var decoded: Candidate
                do {
                    decoded = try makeDecoder().decode(Candidate.self, from: makeEncoder().encode(first))
                } catch {
                    throw Violation("the monitor does not round-trip through JSON after step \(split - 1) of \(scriptName): \(error)")
                }
                verdicts += run(&decoded, observations[split...])
                if let index = expected.indices.first(where: { expected[$0] != verdicts[$0] }) {
                    throw Violation(
                        "on \(scriptName), after a JSON round trip following step \(split - 1), step \(index) gives \(verdicts[index]) "
                            + "instead of \(expected[index])",
                        sample: "\(scriptName), round trip after \(split) steps")
                }
            }
        }
    }

    func checkCopies() throws {
        for (scriptName, observations) in allScripts {
            for split in 1..<observations.count {
                var original = monitor
                _ = run(&original, observations[..<split])
                var copy = original
                let fromCopy = run(&copy, observations[split...])
                let fromOriginal = run(&original, observations[split...])
                if let index = fromCopy.indices.first(where: { fromCopy[$0] != fromOriginal[$0] }) {
                    throw Violation(
                        "on \(scriptName), after running a copy from step \(split), the original gives \(fromOriginal[index]) at step "
                            + "\(split + index) instead of \(fromCopy[index])",
                        sample: "\(scriptName), copy after \(split) steps")
                }
            }
        }
    }

    func checkNonFiniteOnly() throws {
        guard declarations.actsOnlyOnNonFiniteLoss else { throw LawEnding.notApplicable("not declared") }
        for (scriptName, observations) in allScripts {
            var monitor = self.monitor
            for (index, observation) in observations.enumerated() {
                let verdict = monitor.inspect(observation)
                if observation.loss.isFinite && verdict != .proceed {
                    throw Violation(
                        "on \(scriptName), step \(index): the finite loss \(observation.loss) gave \(verdict)",
                        sample: "\(scriptName), \(index + 1) steps")
                }
                if !observation.loss.isFinite && verdict == .proceed {
                    throw Violation(
                        "on \(scriptName), step \(index): the loss \(observation.loss) gave proceed", sample: "\(scriptName), \(index + 1) steps")
                }
            }
        }
    }

    func checkScaleInvariance() throws {
        guard declarations.lossScaleInvariant || declarations.gradientScaleInvariant else { throw LawEnding.notApplicable("not declared") }
        for (scriptName, observations) in allScripts {
            var reference = monitor
            let expected = run(&reference, observations[...]).map(VerdictShape.init)
            for factor in [1e-3, 1e3] {
                let scaled = observations.map { observation -> StepObservation in
                    var copy = observation
                    if declarations.lossScaleInvariant { copy.loss *= factor }
                    if declarations.gradientScaleInvariant {
                        copy.globalGradientNorm *= factor
                        copy.gradientNorms = copy.gradientNorms.map { $0 * factor }
                    }
                    return copy
                }
                // A script whose values overflow or underflow when scaled says nothing about scale.
                func survives(_ a: Double, _ b: Double) -> Bool {
                    if !a.isFinite { return true }
                    if a == 0 { return b == 0 }
                    return b.isNormal
                }
                let representable = zip(observations, scaled).allSatisfy { pair in
                    survives(pair.0.loss, pair.1.loss) && survives(pair.0.globalGradientNorm, pair.1.globalGradientNorm)
                }
                guard representable else { continue }
                var candidate = monitor
                let verdicts = run(&candidate, scaled[...]).map(VerdictShape.init)
                if let index = expected.indices.first(where: { expected[$0] != verdicts[$0] }) {
                    throw Violation(
                        "on \(scriptName) scaled by \(factor), step \(index) gives \(verdicts[index]) instead of \(expected[index])",
                        sample: "\(scriptName) × \(factor)")
                }
            }
        }
    }
}

/// A verdict without its reason (reasons may quote the scaled numbers).
struct VerdictShape: Equatable, CustomStringConvertible {
    var severity: Int
    var factor: Double?

    init(_ verdict: MonitorVerdict) {
        severity = verdict.severity
        if case .scaleLearningRate(let factor, _) = verdict { self.factor = factor } else { factor = nil }
    }

    var description: String { factor.map { "scale learning rate by \($0)" } ?? "severity \(severity)" }
}

/// The generated monitor scripts.
enum MonitorScripts {
    static func observation(_ step: Int, loss: Double, norm: Double) -> StepObservation {
        StepObservation(
            step: step, epoch: 0, loss: loss, learningRate: 0.1, parameterKeys: ["weight"], gradientNorms: [norm],
            globalGradientNorm: norm, nonFiniteCounts: [norm.isFinite ? 0 : 1], firstNonFiniteKey: norm.isFinite ? nil : "weight")
    }

    static func generated(seed: UInt64) -> [(name: String, observations: [StepObservation])] {
        var generator = Xoshiro256StarStar(seed: seed)
        func noise() -> Double { generator.nextUnitDouble() * 2 - 1 }
        let count = 40
        let falling = (0..<count).map { step -> StepObservation in
            let loss = 2 * Foundation.exp(-Double(step) / 10) * (1 + 0.05 * noise())
            return observation(step, loss: loss, norm: 1 + 0.3 * noise())
        }
        let flat = (0..<count).map { observation($0, loss: 0.5 * (1 + 1e-4 * noise()), norm: 0.5 * (1 + 1e-3 * noise())) }
        let spiking = (0..<count).map { step -> StepObservation in
            let spike = step % 7 == 6
            return observation(step, loss: (spike ? 20 : 1) * (1 + 0.1 * noise()), norm: (spike ? 50 : 1) * (1 + 0.1 * noise()))
        }
        let exponents = [-30.0, -12, -3, 0, 3, 6, 7, 12, 30, 38.6, 100, 300, 308]
        let magnitudes = (0..<count).map { step -> StepObservation in
            let exponent = exponents[step % exponents.count]
            let sign: Double = step % 5 == 4 ? -1 : 1
            let loss = step % 11 == 10 ? 0 : sign * Foundation.pow(10, exponent)
            return observation(step, loss: loss, norm: Foundation.pow(10, exponents[(step * 3) % exponents.count] / 10))
        }
        let nonFiniteValues: [Double] = [.nan, .infinity, -.infinity]
        let nonFinite = (0..<count).map { step -> StepObservation in
            let bad = [3, 4, 9, 15, 16, 17, 25, 31, 32].contains(step)
            let loss = bad ? nonFiniteValues[step % 3] : 1 + 0.1 * noise()
            return observation(step, loss: loss, norm: bad && step % 2 == 0 ? .nan : 1 + 0.1 * noise())
        }
        return [
            ("a generated falling loss", falling), ("a generated flat loss", flat), ("generated spikes", spiking),
            ("generated magnitudes from 1e-30 to 1e308", magnitudes), ("generated NaN and ±∞ runs", nonFinite),
        ]
    }
}
