import Foundation
import Testing
import KeelTrainer

@Suite struct FitTests {
    @Test func lossDecreasesAndEventsAreEmitted() throws {
        let log = EventLog()
        var trainer = makeTrainer(events: log)
        let source = SequenceSource()
        let result = try trainer.fit(epochs: 4, source: source, validation: SequenceSource(batchesPerEpoch: 2))
        #expect(result.stopReason == .completed)
        #expect(trainer.step == 32)
        let losses = log.events.compactMap { if case .stepCompleted(let record) = $0 { record.loss } else { nil } }
        #expect(losses.count == 32)
        let early: Double = losses.prefix(8).reduce(0, +)
        let late: Double = losses.suffix(8).reduce(0, +)
        #expect(late < early * 0.7)
        #expect(log.events.contains { if case .validation = $0 { true } else { false } })
        #expect(log.events.filter { if case .epochCompleted = $0 { true } else { false } }.count == 4)
        // Step records carry the clip reports of the pipeline, the learning rate and a duration.
        let records = log.events.compactMap { if case .stepCompleted(let record) = $0 { record } else { nil } }
        #expect(records.map(\.step) == Array(0..<32))
        #expect(records.allSatisfy { $0.clipReports.count == 1 && $0.durationSeconds != nil && $0.updateApplied })
        #expect(records.allSatisfy { $0.clipped == $0.clipReports[0].fired })
        guard case .trainingFinished(let finish) = log.events.last else {
            Issue.record("the last event is not trainingFinished")
            return
        }
        #expect(finish.reason == "completed" && finish.step == 32)
        // Flat JSON form.
        let json = String(decoding: try TrainingEvent.makeJSONEncoder().encode(log.events[0]), as: UTF8.self)
        #expect(json.contains("\"type\":\"stepCompleted\""))
        let decoded = try TrainingEvent.makeJSONDecoder().decode(TrainingEvent.self, from: Data(json.utf8))
        #expect(decoded == log.events[0])
    }

    /// The logged learning rate is the one the optimizer applied: its schedule's value at that
    /// step (times the trainer's own scale, 1 here), not the nominal rate.
    @Test func stepRecordsCarryTheScheduledLearningRate() throws {
        let log = EventLog()
        let schedule = CosineAnnealing(initialValue: 1e-2, maximumSteps: 16, minimumValue: 1e-4)
        var trainer = Trainer(
            model: makeModel(), loss: MeanSquaredError<Float>(),
            pipeline: Chain { GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 1e-2, schedule: schedule) },
            configuration: TrainerConfiguration(seed: 3), eventHandlers: [log.handler])
        try trainer.fit(epochs: 2, source: SequenceSource())
        let records = log.events.compactMap { if case .stepCompleted(let record) = $0 { record } else { nil } }
        #expect(records.count == 16)
        for record in records {
            #expect(abs(record.learningRate - schedule.value(at: record.step)) <= 1e-12, "step \(record.step)")
            // The optimizer's report is not a clipping report.
            #expect(record.clipReports.map(\.transform) == ["GlobalNormClipper"])
        }
        #expect(records.last!.learningRate < records.first!.learningRate / 10)
    }

    /// Adagrad's own decay η divides the rate it applies, γ/(1 + (t − 1)·η) at step t = record.step + 1:
    /// the log shows that rate, not the undecayed one.
    @Test func adagradRecordsItsDecayedLearningRate() throws {
        let log = EventLog()
        var trainer = Trainer(
            model: makeModel(), loss: MeanSquaredError<Float>(),
            pipeline: Adagrad<Float>(learningRate: 0.1, learningRateDecay: 0.5),
            configuration: TrainerConfiguration(seed: 3), eventHandlers: [log.handler])
        try trainer.fit(epochs: 1, source: SequenceSource())
        let records = log.events.compactMap { if case .stepCompleted(let record) = $0 { record } else { nil } }
        #expect(records.count == 8)
        for record in records {
            #expect(abs(record.learningRate - 0.1 / (1 + 0.5 * Double(record.step))) <= 1e-12, "step \(record.step)")
        }
    }

    @Test func sameSeedIsDeterministic() throws {
        var a = makeTrainer(), b = makeTrainer()
        try a.fit(epochs: 2, source: SequenceSource())
        try b.fit(epochs: 2, source: SequenceSource())
        #expect(a.model.parameters == b.model.parameters)
    }

    @Test func skipUpdateLeavesParametersUnchanged() throws {
        let log = EventLog()
        var trainer = makeTrainer(monitors: [SkipEverythingMonitor()], events: log)
        let before = trainer.model.parameters
        try trainer.fit(epochs: 1, source: SequenceSource())
        #expect(trainer.model.parameters == before)
        #expect(trainer.step == 8)
        #expect(log.events.filter { if case .actionTaken(let action) = $0 { action.action == .skipUpdate } else { false } }.count == 8)
        #expect(log.events.filter { if case .stepCompleted(let record) = $0 { !record.updateApplied } else { false } }.count == 8)
    }

    @Test func earlyStoppingStopsWhenValidationDoesNotImprove() throws {
        // minDelta 10 means no evaluation after the first counts as an improvement.
        var configuration = TrainerConfiguration(seed: 3, validationSchedule: .everySteps(2))
        configuration.earlyStopping = EarlyStopping(patience: 2, minDelta: 10)
        var trainer = makeTrainer(configuration: configuration)
        let result = try trainer.fit(epochs: 5, source: SequenceSource(), validation: SequenceSource(batchesPerEpoch: 1))
        guard case .earlyStopping(_, let evaluations) = result.stopReason else {
            Issue.record("expected early stopping, got \(result.stopReason)")
            return
        }
        #expect(evaluations == 2)
        #expect(trainer.step == 6)
    }

    @Test func plateauScalesTheLearningRate() throws {
        let log = EventLog()
        var configuration = TrainerConfiguration(seed: 3, validationSchedule: .everySteps(1))
        configuration.plateau = ReduceLROnPlateau(factor: 0.5, patience: 0, threshold: 10, thresholdMode: .absolute)
        var trainer = makeTrainer(configuration: configuration, events: log)
        try trainer.fit(epochs: 1, source: SequenceSource(batchesPerEpoch: 4), validation: SequenceSource(batchesPerEpoch: 1))
        // First evaluation sets the best; each later one is "no improvement" by 10 → halve.
        #expect(trainer.learningRateScale == 0.125)
        #expect(log.events.filter { if case .actionTaken(let action) = $0 { action.action == .learningRateChange } else { false } }.count == 3)
    }

    @Test func sinksReceiveEventsAndSinkErrorsAreThrown() throws {
        let memory = InMemoryEventSink()
        var trainer = makeTrainer(sinks: [memory])
        try trainer.fit(epochs: 1, source: SequenceSource())
        #expect(memory.events(ofType: "stepCompleted").count == 8)
        #expect(memory.events(ofType: "epochCompleted").count == 1)
        #expect(memory.events(ofType: "trainingFinished").count == 1)

        let failing = FailingSink(failAfter: 3)
        var broken = makeTrainer(sinks: [failing])
        #expect(throws: FailingSink.Failure.self) { try broken.fit(epochs: 1, source: SequenceSource()) }
    }

    @Test func accumulationAveragesMicroBatches() throws {
        var accumulated = makeTrainer(configuration: TrainerConfiguration(seed: 3, accumulationSteps: 2))
        try accumulated.fit(epochs: 1, source: SequenceSource())
        #expect(accumulated.step == 4)
        #expect(accumulated.cursor == TrainingCursor(epoch: 1, index: 0))
    }
}

/// A sink that throws after `failAfter` events.
final class FailingSink: EventSink {
    struct Failure: Error {}
    let failAfter: Int
    var received = 0
    init(failAfter: Int) { self.failAfter = failAfter }
    func receive(_ event: TrainingEvent) throws {
        received += 1
        if received > failAfter { throw Failure() }
    }
}
