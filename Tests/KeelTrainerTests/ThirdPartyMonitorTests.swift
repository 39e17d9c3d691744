import Foundation
import Testing
import KeelTrainer

/// A third-party composite: counts clipped steps from the pipeline's clip reports and warns (a
/// finding, no action) when the clip rate passes one half.
struct ClipRateWatch: Monitor {
    var steps = 0
    var clippedSteps = 0
    var lastThreshold: Double?
    var findings: [String] = []

    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        steps += 1
        findings = steps > 4 && clippedSteps * 2 > steps ? ["clip rate \(clippedSteps)/\(steps)"] : []
        return .proceed
    }

    mutating func recordClipReports(_ reports: [TransformReport]) {
        let clips = reports.compactMap(\.clip)
        if clips.contains(where: \.fired) { clippedSteps += 1 }
        lastThreshold = clips.last?.threshold ?? lastThreshold
    }
}

@Suite struct ThirdPartyMonitorTests {
    /// The trainer accepts any monitor as its composite; the monitor receives the clip reports
    /// (the optimizer's learning-rate report stays out), its findings reach the event stream, and
    /// it resumes from a checkpoint with its history.
    @Test func aCustomCompositeReceivesClipReportsAndResumes() throws {
        let log = EventLog()
        let tightPipeline = Chain { GlobalNormClipper<Float>(maxNorm: 1e-3); Adam<Float>(learningRate: 1e-2) }
        var trainer = Trainer(
            model: makeModel(), loss: MeanSquaredError<Float>(), pipeline: tightPipeline, monitor: ClipRateWatch(),
            configuration: TrainerConfiguration(seed: 3), eventHandlers: [log.handler])
        try trainer.fit(epochs: 1, source: SequenceSource())
        let watch = try #require(trainer.monitors.first(ClipRateWatch.self))
        let records = log.events.compactMap { if case .stepCompleted(let record) = $0 { record } else { nil } }
        #expect(watch.steps == 8)
        #expect(watch.clippedSteps == records.filter(\.clipped).count && watch.clippedSteps == 8)
        #expect(watch.lastThreshold == 1e-3)
        let warnings = log.events.compactMap { if case .monitorFired(let record) = $0 { record } else { nil } }
        #expect(!warnings.isEmpty)

        let directory = temporaryDirectory("third-party-monitor")
        try trainer.saveCheckpoint(to: directory)
        var resumed = Trainer(
            model: makeModel(), loss: MeanSquaredError<Float>(), pipeline: tightPipeline, monitor: ClipRateWatch(),
            configuration: TrainerConfiguration(seed: 3))
        try resumed.loadCheckpoint(from: directory)
        #expect(resumed.monitors.first(ClipRateWatch.self)?.clippedSteps == 8)
        try trainer.fit(epochs: 2, source: SequenceSource())
        try resumed.fit(epochs: 2, source: SequenceSource())
        #expect(resumed.model.parameters == trainer.model.parameters)
        #expect(resumed.monitors.first(ClipRateWatch.self)?.clippedSteps == 16)
    }
}
