import Testing
import KeelMonitors

@Suite("Explosion attribution")
struct AttributionTests {
    /// Typical per-parameter norms: head.weight has the largest gradient, W_hh a small one.
    static let baseline: [Double] = [5, 2, 0.5, 0.1, 30]
    static let weights: [Double] = [50, 20, 10, 1, 40]

    static func flatStep(_ t: Int) -> StepObservation {
        let norms = baseline.enumerated().map { $0.element * (1 + 0.05 * wiggle(t * 5 + $0.offset)) }
        return observation(step: t, norms: norms, weightNorms: weights)
    }

    @Test func namesWeightHHWhenItsGradientExplodes() {
        var attributor = ExplosionAttributor()
        for t in 0..<30 { attributor.observe(Self.flatStep(t)) }
        // W_hh's gradient grows 40× while the others stay flat; head.weight is still the largest.
        var norms = Self.baseline
        norms[2] = 20
        let report = attributor.report(for: observation(step: 30, norms: norms, weightNorms: Self.weights))
        #expect(report.rankedBy == .zScore)
        #expect(report.mostResponsible == "rnn.weightHH")
        #expect((report.entries[0].zScore ?? 0) > 100)
        #expect(report.entries[0].gradientToWeightRatio == 2)
        #expect(report.ranked(by: .gradientNorm).first?.key == "head.weight")
        #expect(report.ranked(by: .gradientToWeightRatio).first?.key == "rnn.weightHH")
        #expect(report.entries.count == 5 && report.firstNonFiniteKey == nil)
        #expect(report.description.contains("1. rnn.weightHH"))
    }

    @Test func nonFiniteParameterComesFirstInBackwardOrder() {
        var attributor = ExplosionAttributor(topK: 2)
        for t in 0..<30 { attributor.observe(Self.flatStep(t)) }
        // embed.weight and W_hh are both non-finite; backpropagation reached W_hh first.
        let bad = observation(
            step: 30, norms: [.nan, 2, .infinity, 0.1, 30], globalNorm: .nan, nonFiniteCounts: [3, 0, 7, 0, 0],
            firstNonFiniteKey: "rnn.weightHH", weightNorms: Self.weights)
        let report = attributor.report(for: bad)
        #expect(report.firstNonFiniteKey == "rnn.weightHH")
        #expect(report.entries.map(\.key) == ["rnn.weightHH", "embed.weight"])
        // A non-finite step does not pollute the statistics.
        let before = attributor.means
        attributor.observe(bad)
        #expect(attributor.means == before)
    }

    @Test func monitorSetAttachesTheReportWhenAnythingFires() {
        var set = MonitorSet([NonFiniteMonitor(), GradientExplosionMonitor(absoluteThreshold: 40)])
        #expect(set.needs.contains(.parameterNorms))
        for t in 0..<30 { #expect(set.evaluate(Self.flatStep(t)).attribution == nil) }
        var norms = Self.baseline
        norms[2] = 30
        let outcome = set.evaluate(observation(step: 30, norms: norms, weightNorms: Self.weights))
        #expect(VerdictKind(outcome.verdict) == .skipUpdate)
        #expect(outcome.firings.map(\.monitor) == ["GradientExplosionMonitor"])
        #expect(outcome.attribution?.mostResponsible == "rnn.weightHH")
        #expect(outcome.verdict.reason?.hasPrefix("GradientExplosionMonitor: global gradient norm") == true)
    }

    @Test func warmUpRanksByNorm() {
        var attributor = ExplosionAttributor(warmUp: 10)
        attributor.observe(Self.flatStep(0))
        let report = attributor.report(for: Self.flatStep(1))
        #expect(report.rankedBy == .gradientNorm && report.mostResponsible == "head.weight")
        #expect(report.entries.allSatisfy { $0.zScore == nil })
    }
}

@Suite("Attribution without weight norms")
struct AttributionWithoutWeightsTests {
    @Test func worksWithoutParameterNorms() {
        var attributor = ExplosionAttributor(warmUp: 2, usesWeightNorms: false)
        #expect(attributor.needs == [])
        for t in 0..<5 { attributor.observe(observation(step: t, norms: [1, 1, 1 + 0.01 * wiggle(t), 1, 1])) }
        let report = attributor.report(for: observation(step: 5, norms: [1, 1, 9, 1, 1]))
        #expect(report.mostResponsible == "rnn.weightHH" && report.entries[0].gradientToWeightRatio == nil)
    }
}
