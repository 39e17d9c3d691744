import Foundation
import Testing
import KeelMonitors

/// Scripted 50-step loss/norm sequences.
enum Scenario: String, CaseIterable, CustomStringConvertible {
    case flat, spike, nanBurst, slowDrift, exponentialGrowth, vanishing

    var description: String { rawValue }

    var steps: [StepObservation] {
        (0..<50).map { t in
            var loss = 2 + 0.01 * wiggle(t)
            var norm = 1 + 0.05 * wiggle(t + 1)
            switch self {
            case .flat: break
            case .spike where t == 30: (loss, norm) = (20, 500)
            case .spike: break
            case .nanBurst where (20...22).contains(t): (loss, norm) = (.nan, .nan)
            case .nanBurst: break
            case .slowDrift: (loss, norm) = (loss + 0.002 * Double(t), pow(1.02, Double(t)))
            case .exponentialGrowth: norm = pow(1.6, Double(t))
            case .vanishing: norm *= 1e-9
            }
            return scalarObservation(step: t, loss: loss, norm: norm)
        }
    }
}

/// The documented firings: first step, its verdict kind, and how many steps fired.
struct Expected: Equatable, CustomStringConvertible {
    var first: Int?
    var kind: VerdictKind?
    var count: Int
    static let none = Expected(first: nil, kind: nil, count: 0)
    var description: String { "first \(first.map(String.init) ?? "-") \(kind?.rawValue ?? "-") ×\(count)" }
}

func summarize(_ fired: [(step: Int, verdict: MonitorVerdict)]) -> Expected {
    Expected(first: fired.first?.step, kind: fired.first.map { VerdictKind($0.verdict) }, count: fired.count)
}

@Suite("Scripted sequences give the documented verdicts")
struct ScriptedSequenceTests {
    static let table: [Scenario: [String: Expected]] = [
        .flat: [:],
        .spike: [
            "explosion": Expected(first: 30, kind: .skipUpdate, count: 1),
            "lossSpike": Expected(first: 30, kind: .skipUpdate, count: 1),
        ],
        .nanBurst: ["nonFinite": Expected(first: 20, kind: .skipUpdate, count: 3)],
        .slowDrift: [:],
        // 1.6^10 ≈ 110 > 100× the window minimum: fires from step 10 on (fired norms stay out of the window).
        .exponentialGrowth: ["explosion": Expected(first: 10, kind: .skipUpdate, count: 40)],
        // patience 10: the 10th vanishing step is step 9.
        .vanishing: ["vanishing": Expected(first: 9, kind: .stop, count: 41)],
    ]

    @Test(arguments: Scenario.allCases)
    func builtInMonitors(scenario: Scenario) {
        let steps = scenario.steps
        var nonFinite = NonFiniteMonitor()
        var explosion = GradientExplosionMonitor()
        var lossSpike = LossSpikeMonitor()
        var vanishing = VanishingGradientMonitor(action: .stop)
        var tracker = GradientNormTracker()
        let observed: [String: Expected] = [
            "nonFinite": summarize(firings(&nonFinite, steps)),
            "explosion": summarize(firings(&explosion, steps)),
            "lossSpike": summarize(firings(&lossSpike, steps)),
            "vanishing": summarize(firings(&vanishing, steps)),
            "tracker": summarize(firings(&tracker, steps)),
        ]
        let expected = Self.table[scenario]!
        for (monitor, result) in observed {
            #expect(result == (expected[monitor] ?? .none), "\(scenario): \(monitor)")
        }
    }

    @Test func nonFiniteBurstEscalatesToRollbackAndNamesTheParameter() {
        var monitor = NonFiniteMonitor()
        let fired = firings(&monitor, Scenario.nanBurst.steps)
        #expect(fired.map { VerdictKind($0.verdict) } == [.skipUpdate, .skipUpdate, .rollback])
        #expect(fired[0].verdict.reason?.contains("gradient of w is non-finite") == true)
        #expect(fired[0].verdict.reason?.contains("loss is nan") == true)
        #expect(monitor.consecutiveNonFiniteSteps == 0 && monitor.totalNonFiniteSteps == 3)
    }

    @Test func nonFiniteReasonNamesFirstInBackwardOrder() {
        var monitor = NonFiniteMonitor(action: .stop)
        let verdict = monitor.inspect(
            observation(step: 0, norms: [.nan, 1, .infinity, 1, 1], nonFiniteCounts: [4, 0, 2, 0, 0], firstNonFiniteKey: "rnn.weightHH"))
        #expect(VerdictKind(verdict) == .stop)
        #expect(verdict.reason?.contains("gradient of rnn.weightHH is non-finite (first in backward order; 2 parameters non-finite)") == true)
    }

    @Test func explosionAbsoluteThresholdAndMedianBaseline() {
        var absolute = GradientExplosionMonitor(absoluteThreshold: 10, growthFactor: nil, action: .rollback)
        #expect(absolute.inspect(scalarObservation(step: 0, loss: 1, norm: 9)) == .proceed)
        #expect(VerdictKind(absolute.inspect(scalarObservation(step: 1, loss: 1, norm: 11))) == .rollback)

        // One tiny outlier in the window: ×100 over the minimum, not over the median.
        var byMinimum = GradientExplosionMonitor(growthFactor: 100, window: 5, baseline: .minimum, minimumHistory: 5)
        var byMedian = GradientExplosionMonitor(growthFactor: 100, window: 5, baseline: .median, minimumHistory: 5)
        let norms = [1, 1, 0.001, 1, 1, 2.0]
        let steps = norms.enumerated().map { scalarObservation(step: $0.offset, loss: 1, norm: $0.element) }
        #expect(firings(&byMinimum, steps).map(\.step) == [5])
        #expect(firings(&byMedian, steps).isEmpty)
    }

    @Test func explosionGrowthRuleWorksFromTheSecondStep() {
        // The default needs one earlier norm: a blow-up at step 1 is caught, not hidden behind
        // a window that is still filling.
        var monitor = GradientExplosionMonitor(growthFactor: 100, window: 10, action: .rollback)
        let steps = [0.5, 80.0, 0.6].enumerated().map { scalarObservation(step: $0.offset, loss: 1, norm: $0.element) }
        #expect(firings(&monitor, steps).map(\.step) == [1])
        // With the full-window requirement the same blow-up goes unseen.
        var waiting = GradientExplosionMonitor(growthFactor: 100, window: 10, action: .rollback, minimumHistory: 10)
        #expect(firings(&waiting, steps).isEmpty)
    }

    @Test func lossSpikeWarmUpAndUpwardOnly() {
        // A spike during warm-up is not flagged.
        var monitor = LossSpikeMonitor(window: 10, warmUp: 5, sigmaFactor: 3)
        let early = [1.0, 1.01, 100, 0.99, 1.0].enumerated().map { scalarObservation(step: $0.offset, loss: $0.element, norm: 1) }
        #expect(firings(&monitor, early).isEmpty)

        var upward = LossSpikeMonitor(window: 10, warmUp: 5, sigmaFactor: 3, upwardOnly: true)
        var twoSided = LossSpikeMonitor(window: 10, warmUp: 5, sigmaFactor: 3)
        let drop = ([1.0, 1.01, 0.99, 1.0, 1.02, 0.98] + [0.1]).enumerated().map {
            scalarObservation(step: $0.offset, loss: $0.element, norm: 1)
        }
        #expect(firings(&upward, drop).isEmpty)
        #expect(firings(&twoSided, drop).map(\.step) == [6])
        #expect((twoSided.lastZScore ?? 0) > 3)
    }

    @Test func vanishingPerParameterAndFlowRatio() {
        var monitor = VanishingGradientMonitor(globalThreshold: nil, parameterThreshold: 1e-6, patience: 3, action: .skipUpdate)
        let steps = (0..<5).map { observation(step: $0, norms: [1, 1, 1e-8, 1, 1]) }
        let fired = firings(&monitor, steps)
        #expect(fired.map(\.step) == [2, 3, 4])
        #expect(fired[0].verdict.reason?.contains("rnn.weightHH") == true)

        var flow = VanishingGradientMonitor(globalThreshold: nil, flowRatioThreshold: 1e-3, patience: 2, action: .stop)
        #expect(flow.needs == .gradientFlow)
        let profile = (0..<20).map { pow(0.5, Double(19 - $0)) } + [0, 0]  // ratio 2⁻¹⁹, truncated tail
        #expect(VanishingGradientMonitor.flowRatio(profile) == pow(0.5, 19))
        let flowSteps = (0..<3).map {
            observation(step: $0, dynamics: [RecurrentDynamics(weightKey: "rnn.weightHH", gradientFlow: profile)])
        }
        #expect(firings(&flow, flowSteps).map(\.step) == [1, 2])
    }

    @Test func recurrentDynamicsPascanuCriterion() {
        func dynamics(_ sigma: Double, saturation: Double = 0.1, growth: Double = 1) -> [RecurrentDynamics] {
            [RecurrentDynamics(weightKey: "rnn.weightHH", largestSingularValue: sigma, gateSaturation: saturation, hiddenNormGrowth: growth)]
        }
        var tanh = RecurrentDynamicsMonitor(every: 10)
        #expect(tanh.needs(atStep: 0) == .recurrentDynamics && tanh.needs(atStep: 5) == [])
        #expect(tanh.inspect(observation(step: 0, dynamics: dynamics(0.9))) == .proceed)
        #expect(tanh.findings.isEmpty)
        // σ_max = 1.5 > 1/γ = 1 for tanh: a warning (proceed, with a finding).
        #expect(tanh.inspect(observation(step: 10, dynamics: dynamics(1.5))) == .proceed)
        #expect(tanh.findings.count == 1 && tanh.findings[0].contains("σ_max(rnn.weightHH) = 1.5 > 1 "))
        #expect(tanh.largestSingularValues["rnn.weightHH"] == 1.5)
        // Not a due step: nothing is checked.
        #expect(tanh.inspect(observation(step: 15, dynamics: dynamics(9))) == .proceed && tanh.findings.isEmpty)

        // Sigmoid: 1/γ = 4.
        var sigmoid = RecurrentDynamicsMonitor(every: 1, nonlinearity: .sigmoid, action: .scaleLearningRate(factor: 0.5))
        #expect(sigmoid.inspect(observation(step: 0, dynamics: dynamics(3))) == .proceed)
        #expect(VerdictKind(sigmoid.inspect(observation(step: 1, dynamics: dynamics(5)))) == .scaleLearningRate)

        // Saturation and hidden growth.
        var other = RecurrentDynamicsMonitor(every: 1, action: .rollback)
        let verdict = other.inspect(observation(step: 0, dynamics: dynamics(0.5, saturation: 0.8, growth: 50)))
        #expect(VerdictKind(verdict) == .rollback && other.findings.count == 2)
    }
}
