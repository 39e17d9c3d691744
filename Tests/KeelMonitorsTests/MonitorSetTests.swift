import Foundation
import Testing
import KeelMonitors

/// A user-defined monitor that replays scripted verdicts (not known to the built-in registry).
struct ScriptedMonitor: Monitor {
    var verdicts: [MonitorVerdict]
    var index = 0
    var needs: ObservationNeeds { .updateNorm }

    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        defer { index += 1 }
        return index < verdicts.count ? verdicts[index] : .proceed
    }
}

@Suite("MonitorSet")
struct MonitorSetTests {
    @Test func mostSevereWinsAndAllReasonsAreKept() {
        let combined = MonitorSet.combine([
            .skipUpdate(reason: "a"), .proceed, .rollback(reason: "b"), .scaleLearningRate(factor: 0.5, reason: "c"),
        ])
        #expect(combined == .rollback(reason: "a; b; c"))
        #expect(MonitorSet.combine([.scaleLearningRate(factor: 0.5, reason: "x"), .scaleLearningRate(factor: 0.1, reason: "y")])
            == .scaleLearningRate(factor: 0.1, reason: "x; y"))
        #expect(MonitorSet.combine([.proceed, .proceed]) == .proceed)
        #expect(MonitorSet.combine([]) == .proceed)
    }

    @Test func evaluateRunsEveryMemberOnceAndReportsWarnings() {
        var set = MonitorSet([
            ScriptedMonitor(verdicts: [.proceed, .skipUpdate(reason: "scripted skip")]),
            RecurrentDynamicsMonitor(every: 1),
            ScriptedMonitor(verdicts: [.proceed, .stop(reason: "scripted stop")]),
        ], attributeWarnings: true)
        let dynamics = [RecurrentDynamics(weightKey: "rnn.weightHH", largestSingularValue: 2)]
        let first = set.evaluate(observation(step: 0, dynamics: dynamics))
        #expect(first.verdict == .proceed)
        #expect(first.firings.map(\.monitor) == ["RecurrentDynamicsMonitor"])
        #expect(first.firings[0].verdict == .proceed && first.attribution != nil)
        #expect(set.findings.count == 1 && set.findings[0].hasPrefix("RecurrentDynamicsMonitor: σ_max"))

        let second = set.evaluate(observation(step: 1))
        #expect(second.verdict == .stop(reason: "ScriptedMonitor: scripted skip; ScriptedMonitor: scripted stop"))
        #expect(second.requiresAction && second.firings.count == 2 && second.attribution != nil)
        #expect(set.inspect(observation(step: 2)) == .proceed)
        #expect(set.first(ScriptedMonitor.self)?.index == 3)
    }

    @Test func needsAreAggregatedAndScheduled() {
        let set = MonitorSet([GradientFlowMonitor(), RecurrentDynamicsMonitor(every: 10), NonFiniteMonitor()])
        #expect(set.needs == [.gradientFlow, .recurrentDynamics, .parameterNorms])
        #expect(set.needs(atStep: 20) == [.gradientFlow, .recurrentDynamics, .parameterNorms])
        #expect(set.needs(atStep: 5) == [.gradientFlow, .parameterNorms])
        #expect(MonitorSet([NonFiniteMonitor()], attributor: nil).needs == [])
    }

    @Test func clipReportsReachTheTracker() {
        var set = MonitorSet.standard
        _ = set.evaluate(observation(step: 0))
        set.recordClipReports([.clip(ClipReport(transform: "GlobalNormClipper", fired: true, normBefore: 2, normAfter: 1))])
        #expect(set.first(GradientNormTracker.self)?.clipRate == 1)
    }

    @Test func codableRoundTripKeepsState() throws {
        var set = MonitorSet.standard
        set.monitors.append(RecurrentDynamicsMonitor(every: 3, nonlinearity: .sigmoid))
        set.monitors.append(GradientFlowMonitor())
        for t in 0..<25 { _ = set.evaluate(Scenario.spike.steps[t]) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(set)
        var decoded = try JSONDecoder().decode(MonitorSet.self, from: data)
        #expect(try encoder.encode(decoded) == data)
        #expect(decoded.monitors.map(\.name) == set.monitors.map(\.name))
        #expect(decoded.first(LossSpikeMonitor.self)?.recentLosses == set.first(LossSpikeMonitor.self)?.recentLosses)
        // Both continue identically.
        for t in 25..<50 {
            let step = Scenario.spike.steps[t]
            #expect(decoded.evaluate(step) == set.evaluate(step))
        }
        let json = try #require(String(data: data, encoding: .utf8))
        #expect(json.contains(#""type":"NonFiniteMonitor""#))
    }

    @Test func userMonitorsNeedARegistry() throws {
        let set = MonitorSet([ScriptedMonitor(verdicts: [.rollback(reason: "r")]), NonFiniteMonitor()])
        let data = try JSONEncoder().encode(set)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(MonitorSet.self, from: data) }
        var registry = MonitorRegistry.builtIns
        registry.register(ScriptedMonitor.self)
        let decoder = JSONDecoder()
        decoder.userInfo[MonitorRegistry.userInfoKey] = registry
        var decoded = try decoder.decode(MonitorSet.self, from: data)
        #expect(decoded.needs == [.updateNorm, .parameterNorms])
        #expect(decoded.inspect(observation(step: 0)) == .rollback(reason: "ScriptedMonitor: r"))
    }
}
