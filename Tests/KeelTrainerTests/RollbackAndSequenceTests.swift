import Foundation
import Testing
import KeelTrainer

@Suite struct RollbackAndSequenceTests {
    @Test func nanBatchIsRolledBackSkippedAndRecorded() throws {
        let poisoned = TrainingCursor(epoch: 1, index: 5)
        let log = EventLog()
        var configuration = TrainerConfiguration(seed: 3)
        configuration.rollback = RollbackPolicy(capacity: 2, snapshotInterval: 3, maxRollbacks: 2, learningRateBackoff: 0.5)
        var recovered = makeTrainer(monitors: [NonFiniteRollbackMonitor()], configuration: configuration, events: log)
        try recovered.fit(epochs: 4, source: SequenceSource(poisoned: poisoned))
        #expect(recovered.skippedBatches.map(\.cursor) == [poisoned])
        #expect(recovered.rollbackCount == 1)
        #expect(recovered.learningRateScale == 0.5)
        #expect(log.events.contains {
            if case .actionTaken(let action) = $0 { action.action == .rollback && action.skippedBatches == [poisoned.index] } else { false }
        })
        for (_, tensor) in recovered.model.parameters { #expect(tensor.nonFiniteCount == 0) }

        var clean = makeTrainer(monitors: [NonFiniteRollbackMonitor()])
        try clean.fit(epochs: 4, source: SequenceSource())
        let validation = SequenceSource(batchesPerEpoch: 2)
        let recoveredLoss = recovered.evaluate(validation).loss, cleanLoss = clean.evaluate(validation).loss
        #expect(recoveredLoss.isFinite)
        #expect(recoveredLoss < cleanLoss * 1.5 + 0.01)
        // The poisoned batch without a monitor ruins the parameters.
        var unguarded = makeTrainer()
        try unguarded.fit(epochs: 2, source: SequenceSource(poisoned: poisoned))
        #expect(unguarded.model.parameters.nonFiniteCount > 0)
    }

    @Test func rollbackBudgetExhaustionStops() throws {
        var configuration = TrainerConfiguration(seed: 3)
        configuration.rollback = RollbackPolicy(maxRollbacks: 0)
        var trainer = makeTrainer(monitors: [NonFiniteRollbackMonitor()], configuration: configuration)
        let result = try trainer.fit(epochs: 1, source: SequenceSource(poisoned: TrainingCursor(epoch: 0, index: 2)))
        guard case .rollbackBudgetExhausted = result.stopReason else {
            Issue.record("expected rollbackBudgetExhausted, got \(result.stopReason)")
            return
        }
        // It stops on the last state that passed the monitors: the start (the only snapshot).
        #expect(trainer.step == 0)
        #expect(trainer.model.parameters == makeModel().parameters)
    }

    @Test func truncatedBPTTWithWindowCoveringSequenceEqualsFullBPTT() throws {
        var full = makeTrainer()
        try full.fit(epochs: 1, source: SequenceSource())
        for k1 in [6, 20] {
            var truncated = makeTrainer(configuration: TrainerConfiguration(seed: 3, truncatedBPTT: TruncatedBPTT(k1: k1)))
            try truncated.fit(epochs: 1, source: SequenceSource())
            #expect(truncated.model.parameters == full.model.parameters)
        }
    }

    @Test func truncatedBPTTReportsPerWindowNorms() throws {
        let log = EventLog()
        var configuration = TrainerConfiguration(seed: 3, truncatedBPTT: TruncatedBPTT(k1: 4, k2: 2))
        configuration.rollback = RollbackPolicy(snapshotInterval: 100)
        var trainer = makeTrainer(monitors: [DynamicsRecordingMonitor()], configuration: configuration, events: log)
        try trainer.fit(epochs: 1, source: SequenceSource(timeSteps: 10))
        let records = log.events.compactMap { if case .stepCompleted(let record) = $0 { record } else { nil } }
        #expect(records.count == 8)
        #expect(records.allSatisfy { ($0.windowGradientNorms ?? []).count == 3 && ($0.windowGradientNorms ?? []).allSatisfy { $0 > 0 } })
        // The truncated run differs from full BPTT.
        var full = makeTrainer()
        try full.fit(epochs: 1, source: SequenceSource(timeSteps: 10))
        #expect(trainer.model.parameters != full.model.parameters)
    }

    @Test func gradientFlowAndSpectralNormReachMonitors() throws {
        var configuration = TrainerConfiguration(seed: 3, spectralNormInterval: 2, powerIterations: 30)
        configuration.rollback = RollbackPolicy(snapshotInterval: 100)
        var trainer = makeTrainer(monitors: [DynamicsRecordingMonitor()], configuration: configuration)
        try trainer.fit(epochs: 1, source: SequenceSource(timeSteps: 7))
        let monitor = try #require(trainer.monitors.first(DynamicsRecordingMonitor.self))
        #expect(monitor.flowLengths == Array(repeating: 7, count: 8))
        #expect(monitor.sigmas.count == 8)
        // σ_max of a diagonal matrix is its largest |entry|.
        var model = makeModel()
        var diagonal = [Float](repeating: 0, count: 64)
        for i in 0..<8 { diagonal[i * 9] = Float(i + 1) * 0.25 }
        model.recurrent.cell.weightHH = Tensor(shape: [8, 8], scalars: diagonal)
        var probe = Trainer(
            model: model, loss: MeanSquaredError<Float>(), pipeline: makePipeline(), monitors: [DynamicsRecordingMonitor()],
            configuration: TrainerConfiguration(seed: 3, powerIterations: 200))
        try probe.fit(epochs: 1, source: SequenceSource(batchesPerEpoch: 1))
        let sigma = try #require(probe.monitors.first(DynamicsRecordingMonitor.self)?.sigmas.first)
        #expect(abs(sigma - 2.0) < 1e-3)
    }
}
