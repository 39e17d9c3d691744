import Foundation
import Testing
import KeelCore
import KeelMonitors
import KeelReport
import KeelCommands

@Suite struct ReportRenderingTests {
    @Test func reportHasEverySectionAndNoScripts() {
        let events: [TrainingEvent] = [
            .stepCompleted(StepRecord(step: 0, epoch: 0, loss: 1, globalGradientNorm: 120, learningRate: 0.1, clipReports: [
                .clip(ClipReport(transform: "GlobalNormClipper", fired: true, normBefore: 120, normAfter: 1, coefficient: 1.0 / 120, threshold: 1)),
            ])),
            .stepCompleted(StepRecord(step: 1, epoch: 0, loss: .nan, globalGradientNorm: .infinity, learningRate: 0.1)),
            .gradientFlow(GradientFlowRecord(step: 0, profiles: [.init(weightKey: "encoder.layer0.weightHH", norms: [1e-3, 1e-2, 0.1, 1])])),
            .recurrentDynamics(RecurrentDynamicsRecord(step: 0, layers: [RecurrentDynamics(weightKey: "encoder.layer0.weightHH", largestSingularValue: 1.5)])),
            .validation(ValidationRecord(step: 1, epoch: 0, metrics: ["loss": 0.5])),
            .monitorFired(MonitorFiredRecord(step: 1, monitor: "NonFiniteMonitor", verdict: .stop(reason: "NaN <loss>"))),
            .trainingFinished(FinishRecord(step: 2, reason: "stopped")),
        ]
        let html = HTMLReport(title: "t", runs: [RunLog(name: "run & co", events: events)]).render()
        for section in ["Loss", "Global gradient norm", "σ_max(W_hh)", "Gradient flow", "Events (2)", "clip at 1", "NaN &lt;loss&gt;", "run &amp; co"] {
            #expect(html.contains(section), "missing \(section)")
        }
        #expect(!html.contains("<script"))
        #expect(!html.contains("NaN,") && !html.contains("nan,"))
    }

    /// An exploding run: short numbers in the events, a heatmap whose colors are not flattened by
    /// 60 decades and that counts its non-finite cells, and a σ_max chart that caps the diverged
    /// run instead of flattening the healthy one.
    @Test func anExplodingRunStaysReadable() {
        let exploding: [TrainingEvent] = [
            .monitorFired(MonitorFiredRecord(
                step: 3, monitor: "GradientExplosionMonitor",
                verdict: .rollback(reason: "global gradient norm 12077382.500000032 grew 4101343.26505378× over the minimum 2.944738277068273"))),
        ] + (0..<20).map { step in
            .gradientFlow(GradientFlowRecord(step: step, profiles: [.init(
                weightKey: "encoder.layer0.weightHH", norms: step == 19 ? [.infinity, 1e32, 1e30] : [Double(step + 1) * 1e-3, 0.1, 1])]))
        } + (0..<5).map { step in
            .recurrentDynamics(RecurrentDynamicsRecord(step: step * 10, layers: [
                RecurrentDynamics(weightKey: "encoder.layer0.weightHH", largestSingularValue: step < 4 ? 1.5 : 1e30)]))
        }
        let healthy: [TrainingEvent] = (0..<5).map { step in
            .recurrentDynamics(RecurrentDynamicsRecord(step: step * 10, layers: [
                RecurrentDynamics(weightKey: "encoder.layer0.weightHH", largestSingularValue: 1 + 0.01 * Double(step))]))
        }
        let html = HTMLReport(title: "t", runs: [RunLog(name: "exploding", events: exploding), RunLog(name: "healthy", events: healthy)]).render()
        #expect(html.contains("1.208e+07") && html.contains("4.101e+06"))
        #expect(!html.contains("12077382.5"))
        #expect(html.contains("non-finite (1 cells)"))
        #expect(html.contains("≥ "))
        #expect(html.contains("▲ = above 150"))
        #expect(html.contains("1/γ = 1 (tanh RNN only)"))
    }

    @Test func errorRateGetsItsChartOnlyWhenRecorded() {
        let steps: [TrainingEvent] = (0..<3).map { .stepCompleted(StepRecord(step: $0, epoch: 0, loss: 1, globalGradientNorm: 1, learningRate: 0.1)) }
        let tested = steps + [
            .validation(ValidationRecord(step: 1, epoch: 0, metrics: ["loss": 0.5, "errorRate": 0.75])),
            .validation(ValidationRecord(step: 2, epoch: 0, metrics: ["loss": 0.4, "errorRate": 0.004])),
        ]
        let html = HTMLReport(title: "t", runs: [RunLog(name: "pascanu", events: tested)]).render()
        #expect(html.contains("<h2>Test error rate</h2>"))
        #expect(html.contains(">1%<"), "the 1% success line is labelled")
        let plain = HTMLReport(title: "t", runs: [RunLog(name: "lm", events: steps + [.validation(ValidationRecord(step: 1, epoch: 0, metrics: ["loss": 0.5]))])]).render()
        #expect(!plain.contains("Test error rate"))
    }

    @Test func suggestionsFindTypos() {
        #expect(closestMatch(to: "adm", in: TrainChoices.optimizers) == "adam")
        #expect(closestMatch(to: "global_norm", in: TrainChoices.clippers) == "global-norm")
        #expect(closestMatch(to: "transformer", in: TrainChoices.cells) == nil)
    }

    @Test func commandLineOverridesTheConfigurationFile() {
        var file = TrainOptions()
        file.hidden = 16
        file.cell = .gru
        var flags = TrainOptions()
        flags.hidden = 32
        let merged = file.overridden(by: flags)
        #expect(merged.hidden == 32)
        #expect(merged.cell == .gru)
    }
}
