import Foundation
import KeelTrainer
import Testing

/// Validation policy, held-out evaluation, stop conditions and checkpoints inside one `fit`.
@Suite struct FitPolicyTests {
    /// Rows whose prediction misses the target by more than 0.5 are wrong.
    static let heldOut = HeldOutEvaluation<Float>(source: AnyBatchSource(SequenceSource(batchesPerEpoch: 2)), exampleCount: 2 * 6 * 4) {
        predictions, targets in zip(predictions.scalars, targets.scalars).filter { abs($0 - $1) > 0.5 }.count
    }

    static func validations(_ log: EventLog) -> [ValidationRecord] {
        log.events.compactMap { if case .validation(let record) = $0 { record } else { nil } }
    }

    static func finish(_ log: EventLog) -> FinishRecord? {
        log.events.compactMap { if case .trainingFinished(let record) = $0 { record } else { nil } }.last
    }

    @Test func validatesOnScheduleAndOnceMoreAtTheEndWithHeldOutMetrics() throws {
        let log = EventLog()
        var configuration = TrainerConfiguration(seed: 3, validationSchedule: .everySteps(2))
        configuration.validatesAtEnd = true
        var trainer = makeTrainer(configuration: configuration, events: log)
        trainer.heldOutEvaluation = Self.heldOut
        let result = try trainer.fit(epochs: 1, source: SequenceSource(), validation: SequenceSource(batchesPerEpoch: 1), maxSteps: 5)
        #expect(result.stopReason == .reachedMaxSteps)
        let records = Self.validations(log)
        #expect(records.map(\.step) == [2, 4, 5])
        for record in records {
            let rate = try #require(record.metrics["errorRate"])
            #expect(rate >= 0 && rate <= 1 && (rate * 48).rounded() == rate * 48)
            #expect(record.metrics["testLoss"] != nil && record.metrics["loss"] != nil)
        }
        #expect(result.lastValidation?.errorRate == records.last?.metrics["errorRate"])
        #expect(Self.finish(log)?.reason == "reachedMaxSteps")
    }

    @Test func aTargetReachedStopsAndKeepsTheLatestAndBestCheckpoints() throws {
        let log = EventLog()
        let directory = temporaryDirectory("target")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = TrainerConfiguration(seed: 3, validationSchedule: .everySteps(3))
        configuration.stopConditions = [.target(.errorRate, 1.01)]
        configuration.checkpoints = CheckpointPolicy(
            directory: directory + "/latest", every: 100, bestDirectory: directory + "/best",
            extraFiles: { _ in ["note.txt": Array("kept".utf8)] })
        var trainer = makeTrainer(configuration: configuration, events: log)
        trainer.heldOutEvaluation = Self.heldOut
        let result = try trainer.fit(epochs: 4, source: SequenceSource(), validation: SequenceSource(batchesPerEpoch: 1))
        guard case .targetReached(.errorRate, let value, 1.01, 3) = result.stopReason else {
            Issue.record("stopped for \(result.stopReason)")
            return
        }
        #expect(value == result.lastValidation?.errorRate)
        #expect(Self.finish(log)?.reason == "targetErrorRate")
        #expect(Self.finish(log)?.detail?.contains("at step 3") == true)
        #expect(try CheckpointDirectory.verify(directory + "/latest").step == 3)
        #expect(try CheckpointDirectory.verify(directory + "/best").step == 3)
        #expect(FileManager.default.contents(atPath: directory + "/best/note.txt") == Data("kept".utf8))
        #expect(trainer.bestCheckpoint == BestCheckpoint(value: try #require(result.lastValidation?.loss), step: 3))
        #expect(log.events.filter { if case .checkpointSaved = $0 { true } else { false } }.count == 2)
    }

    @Test func theBestCheckpointMovesOnlyWhenTheMetricImproves() throws {
        let directory = temporaryDirectory("best")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = TrainerConfiguration(seed: 3, validationSchedule: .everySteps(1))
        configuration.checkpoints = CheckpointPolicy(bestDirectory: directory)
        let log = EventLog()
        var trainer = makeTrainer(configuration: configuration, events: log)
        try trainer.fit(epochs: 2, source: SequenceSource(), validation: SequenceSource(batchesPerEpoch: 1))
        let losses = Self.validations(log).map { ($0.step, $0.metrics["loss"]!) }
        let best = try #require(losses.min { $0.1 < $1.1 })
        #expect(trainer.bestCheckpoint == BestCheckpoint(value: best.1, step: best.0))
        #expect(try CheckpointDirectory.verify(directory).step == best.0)
    }

    @Test func aDivergenceBoundStopsWithoutACheckpoint() throws {
        let directory = temporaryDirectory("divergence")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = TrainerConfiguration(seed: 3, validationSchedule: .everySteps(2))
        configuration.stopConditions = [.divergence(.loss, bound: 0)]
        configuration.checkpoints = CheckpointPolicy(directory: directory + "/latest")
        var trainer = makeTrainer(configuration: configuration)
        let result = try trainer.fit(epochs: 1, source: SequenceSource(), validation: SequenceSource(batchesPerEpoch: 1))
        guard case .metricDiverged(.loss, _, 0) = result.stopReason else {
            Issue.record("stopped for \(result.stopReason)")
            return
        }
        #expect(result.step == 2)
        #expect(result.stopReason.eventName == "diverged")
        #expect(!FileManager.default.fileExists(atPath: directory + "/latest"))
    }

    @Test func nonFiniteWeightsEndTheRunAndAreNeverCheckpointed() throws {
        let directory = temporaryDirectory("nonfinite")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = TrainerConfiguration(seed: 3)
        configuration.checkpoints = CheckpointPolicy(directory: directory, every: 1)
        var trainer = Trainer(
            model: makeModel(), loss: MeanSquaredError<Float>(), pipeline: SGD<Float>(learningRate: 0.01), configuration: configuration)
        let result = try trainer.fit(epochs: 1, source: SequenceSource(poisoned: TrainingCursor(epoch: 0, index: 3)))
        guard case .nonFiniteWeights = result.stopReason else {
            Issue.record("stopped for \(result.stopReason)")
            return
        }
        #expect(result.step == 4)
        #expect(try CheckpointDirectory.verify(directory).step == 3)
    }
}
