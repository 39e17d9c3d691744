import Foundation
import Testing
import KeelMonitors

func temporaryPath(_ name: String) -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-monitors-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent(name).path
}

/// One event of every type.
let sampleEvents: [TrainingEvent] = {
    let report = AttributionReport(
        step: 3, globalGradientNorm: 120, firstNonFiniteKey: nil, rankedBy: .zScore,
        entries: [ParameterAttribution(key: "rnn.weightHH", gradientNorm: 119, shareOfGlobalNorm: 0.98, gradientToWeightRatio: 11.9, zScore: 250, nonFiniteCount: 0)])
    return [
        .stepCompleted(StepRecord(
            step: 3, epoch: 0, loss: 0.25, globalGradientNorm: 120, learningRate: 0.001, updateApplied: false,
            clipReports: [.clip(ClipReport(transform: "GlobalNormClipper", fired: true, normBefore: 120, normAfter: 1, coefficient: 1.0 / 120, threshold: 1))],
            durationSeconds: 0.004)),
        .validation(ValidationRecord(step: 4, epoch: 0, metrics: ["loss": 0.3, "accuracy": 0.9])),
        .monitorFired(MonitorFiredRecord(step: 3, monitor: "GradientExplosionMonitor", verdict: .skipUpdate(reason: "boom"), findings: ["boom"], attribution: report)),
        .monitorFired(MonitorFiredRecord(step: 3, monitor: "LossSpikeMonitor", verdict: .scaleLearningRate(factor: 0.5, reason: "spike"))),
        .monitorFired(MonitorFiredRecord(step: 3, monitor: "RecurrentDynamicsMonitor", verdict: .proceed, findings: ["σ_max"])),
        .actionTaken(ActionRecord(step: 3, action: .rollback, reason: "boom", restoredStep: 1, skippedBatches: [3], previousLearningRate: 0.001, newLearningRate: 0.0005, retriesLeft: 2)),
        .checkpointSaved(CheckpointRecord(step: 4, path: "/tmp/run/ckpt-4")),
        .epochCompleted(EpochRecord(epoch: 0, step: 5, meanLoss: 0.3, durationSeconds: 1.5)),
        .gradientFlow(GradientFlowRecord(step: 5, profiles: [.init(weightKey: "rnn.weightHH", norms: [4, 2, 1])])),
        .recurrentDynamics(RecurrentDynamicsRecord(step: 5, layers: [RecurrentDynamics(weightKey: "rnn.weightHH", largestSingularValue: 1.2, gateSaturation: 0.1, hiddenNormGrowth: 3)])),
        .trainingFinished(FinishRecord(step: 5, reason: "completed")),
    ]
}()

@Suite("Event sinks")
struct SinkTests {
    @Test func jsonLinesDecodeBackToTheSameEvents() throws {
        let path = temporaryPath("run.jsonl")
        let sink = try JSONLinesEventSink(path: path)
        for event in sampleEvents { try sink.receive(event) }
        try sink.flush()
        #expect(try JSONLinesEventSink.readEvents(atPath: path) == sampleEvents)

        // Flat objects with a `type` field.
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == sampleEvents.count)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["type"] as? String == "stepCompleted")
        #expect(first["globalGradientNorm"] as? Double == 120 && first["clipped"] as? Bool == true)
        #expect(lines[3].contains(#""factor":0.5"#) && lines[3].contains(#""verdict":"scaleLearningRate""#))
        #expect(gradientFlowRate(in: lines[8]) == 2)

        // Appending: a second sink on the same file continues the log.
        let again = try JSONLinesEventSink(path: path)
        try again.receive(sampleEvents[0])
        #expect(try JSONLinesEventSink.readEvents(atPath: path).count == sampleEvents.count + 1)
    }

    func gradientFlowRate(in line: Substring) -> Double? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let profiles = object["profiles"] as? [[String: Any]]
        else { return nil }
        return (profiles.first?["rate"] as? Double).map { ($0 * 1e9).rounded() / 1e9 }
    }

    @Test func nonFiniteNumbersSurviveAsStrings() throws {
        let event = TrainingEvent.stepCompleted(StepRecord(step: 0, epoch: 0, loss: .nan, globalGradientNorm: .infinity, learningRate: 0.1))
        let data = try TrainingEvent.makeJSONEncoder().encode(event)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""loss":"NaN""#) && text.contains(#""globalGradientNorm":"Infinity""#))
        guard case .stepCompleted(let record) = try TrainingEvent.makeJSONDecoder().decode(TrainingEvent.self, from: data) else {
            Issue.record("wrong case")
            return
        }
        #expect(record.loss.isNaN && record.globalGradientNorm == .infinity)
    }

    @Test func unknownTypeAndUnopenablePathThrow() {
        #expect(throws: DecodingError.self) {
            try TrainingEvent.makeJSONDecoder().decode(TrainingEvent.self, from: Data(#"{"type":"nope","step":1}"#.utf8))
        }
        let path = "/nonexistent-keel-directory/run.jsonl"
        do {
            _ = try JSONLinesEventSink(path: path)
            Issue.record("opened \(path)")
        } catch {
            #expect(String(describing: error).contains(path))
        }
    }

    @Test func csvHeaderAndRows() throws {
        let path = temporaryPath("steps.csv")
        let sink = try CSVEventSink(path: path)
        try sink.receive(.stepCompleted(StepRecord(step: 0, epoch: 0, loss: 0.5, globalGradientNorm: 1.25, learningRate: 0.001, durationSeconds: 0.5)))
        try sink.receive(.validation(ValidationRecord(step: 1, epoch: 0, metrics: ["loss": 1])))
        try sink.receive(.stepCompleted(StepRecord(
            step: 1, epoch: 0, loss: .nan, globalGradientNorm: 3, learningRate: 1e-5,
            updateApplied: false, clipReports: [.clip(ClipReport(transform: "GlobalNormClipper", fired: true, normBefore: 2, normAfter: 1))])))
        try sink.flush()
        let expected = """
            step,epoch,loss,global_gradient_norm,learning_rate,clipped,update_applied,duration_seconds
            0,0,0.5,1.25,0.001,false,true,0.5
            1,0,nan,3.0,1e-05,true,false,

            """
        #expect(try String(contentsOfFile: path, encoding: .utf8) == expected)
        // Reopening appends rows without a second header.
        try CSVEventSink(path: path).receive(sampleEvents[0])
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 4)

        let other = temporaryPath("other.csv")
        try "a,b\n1,2\n".write(toFile: other, atomically: true, encoding: .utf8)
        #expect(throws: EventSinkError.self) { try CSVEventSink(path: other) }
    }

    @Test func consolePlainLines() {
        var output = ""
        let sink = ConsoleProgressSink(totalSteps: 4, every: 2, mode: .plainLines) { output += $0 }
        #expect(sink.mode == .plainLines)
        for step in 0..<4 {
            sink.receive(.stepCompleted(StepRecord(
                step: step, epoch: step / 2, loss: 0.5 / Double(step + 1), globalGradientNorm: 1.25, learningRate: 0.001,
                clipped: step == 0, durationSeconds: 0.5)))
            if step == 2 {
                sink.receive(sampleEvents[2])
                sink.receive(sampleEvents[4])
                sink.receive(sampleEvents[5])
            }
        }
        sink.receive(sampleEvents[1])
        sink.receive(sampleEvents[8])
        sink.receive(.trainingFinished(FinishRecord(step: 4, reason: "completed")))
        let expected = """
            step 2/4 | epoch 1 | loss 0.25 | grad norm 1.25 | lr 0.001 | clip 50.0% | ETA 0:00:01
            [step 3] GradientExplosionMonitor: skip update (boom); largest gradient: rnn.weightHH (‖g‖ 119, 98% of ‖g‖²)
            [step 3] RecurrentDynamicsMonitor: warning (σ_max)
            [step 3] action rollback: boom
            step 4/4 | epoch 2 | loss 0.125 | grad norm 1.25 | lr 0.001 | clip 25.0% | ETA 0:00:00
            [step 4] validation: accuracy 0.9, loss 0.3
            training finished at step 4: completed

            """
        #expect(output == expected)
    }

    @Test func consoleHoldsBackRepeatedWarningsButNeverActions() {
        var output = ""
        let sink = ConsoleProgressSink(mode: .plainLines, warningInterval: 100) { output += $0 }
        func warn(_ step: Int, _ monitor: String = "RecurrentDynamicsMonitor") {
            sink.receive(.monitorFired(MonitorFiredRecord(step: step, monitor: monitor, verdict: .proceed, findings: ["σ_max"])))
        }
        for step in stride(from: 0, through: 250, by: 10) { warn(step) }  // 26 warnings
        warn(30, "LossSpikeMonitor")  // another monitor has its own interval
        sink.receive(.monitorFired(MonitorFiredRecord(step: 40, monitor: "GradientExplosionMonitor", verdict: .skipUpdate(reason: "boom"))))
        sink.receive(.monitorFired(MonitorFiredRecord(step: 41, monitor: "GradientExplosionMonitor", verdict: .skipUpdate(reason: "boom"))))
        sink.receive(.trainingFinished(FinishRecord(step: 260, reason: "completed")))
        let expected = """
            [step 0] RecurrentDynamicsMonitor: warning (σ_max)
            [step 100] RecurrentDynamicsMonitor: warning (σ_max) (+9 more since step 10)
            [step 200] RecurrentDynamicsMonitor: warning (σ_max) (+9 more since step 110)
            [step 30] LossSpikeMonitor: warning (σ_max)
            [step 40] GradientExplosionMonitor: skip update (boom)
            [step 41] GradientExplosionMonitor: skip update (boom)
            [step 260] RecurrentDynamicsMonitor: 5 more warnings since step 210 (not shown; every firing is in the event log)
            training finished at step 260: completed

            """
        #expect(output == expected)
    }

    @Test func consoleProgressBarRedrawsInPlace() {
        var output = ""
        let sink = ConsoleProgressSink(totalSteps: 10, mode: .progressBar, barWidth: 10) { output += $0 }
        sink.receive(.stepCompleted(StepRecord(step: 4, epoch: 0, loss: 1, globalGradientNorm: 2, learningRate: 0.1)))
        #expect(output == "\r[#####-----] 5/10 ep 1 loss 1 grad norm 2 lr 0.1 clip 0.0%\u{1B}[K")
        sink.receive(.checkpointSaved(CheckpointRecord(step: 5, path: "c")))
        #expect(output.hasSuffix("\r\u{1B}[K[step 5] checkpoint saved: c\n"))
    }

    @Test func multiplexDeliversToAllAndInMemoryFilters() throws {
        let a = InMemoryEventSink(), b = InMemoryEventSink()
        let failing = try JSONLinesEventSink(path: temporaryPath("x.jsonl"))
        let multiplex = MultiplexEventSink([a, failing, b])
        for event in sampleEvents { try multiplex.receive(event) }
        try multiplex.flush()
        #expect(a.events == sampleEvents && b.events == sampleEvents)
        #expect(a.events(ofType: "monitorFired").count == 3)
        #expect(MonitorFiredRecord.records(from: MonitorSetOutcome(
            step: 1, verdict: .stop(reason: "x"),
            firings: [MonitorFiring(monitor: "M", verdict: .stop(reason: "x"), findings: ["x"])], attribution: nil)).count == 1)
        a.removeAll()
        #expect(a.events.isEmpty)
    }
}
