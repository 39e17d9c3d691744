import Foundation
import Testing
import KeelTrainer

/// A source whose batch at one cursor has its inputs multiplied by `factor`: a finite blow-up
/// (unlike `SequenceSource`'s NaN poison) that only the explosion monitor can see.
struct ScaledSource: BatchSource {
    var base = SequenceSource()
    var scaled: TrainingCursor
    var factor: Float
    var batchesPerEpoch: Int { base.batchesPerEpoch }

    func batch(epoch: Int, index: Int) -> Batch<Float> {
        let batch = base.batch(epoch: epoch, index: index)
        guard TrainingCursor(epoch: epoch, index: index) == scaled else { return batch }
        return Batch(inputs: batch.inputs * factor, targets: batch.targets * factor)
    }
}

/// Rollback escapes the explosion, detection works from step 0, the ring holds only states that
/// passed the monitors, and no checkpoint ever holds non-finite weights.
@Suite struct ReliabilityTests {
    static let epochs = 8  // 8 batches per epoch: 64 steps

    static func cursor(ofStep step: Int) -> TrainingCursor { TrainingCursor(epoch: step / 8, index: step % 8) }

    static func cleanLoss() throws -> Double {
        var clean = makeTrainer(monitors: [NonFiniteMonitor(action: .rollback)])
        try clean.fit(epochs: epochs, source: SequenceSource())
        return clean.evaluate(SequenceSource(batchesPerEpoch: 2)).loss
    }

    /// NaN injected at step 0, 1, 5 and 50 under skip and under rollback: the run completes with
    /// finite weights and ends near the clean run's loss.
    @Test(arguments: [0, 1, 5, 50], [MonitorAction.skipUpdate, .rollback])
    func nanInjectedAtAnyStepIsEscaped(step: Int, action: MonitorAction) throws {
        let poisoned = Self.cursor(ofStep: step)
        var trainer = makeTrainer(
            monitors: [NonFiniteMonitor(action: action), GradientExplosionMonitor(absoluteThreshold: 1e8, action: action)])
        let result = try trainer.fit(epochs: Self.epochs, source: SequenceSource(poisoned: poisoned))
        #expect(result.stopReason == .completed)
        for (key, tensor) in trainer.model.parameters { #expect(tensor.nonFiniteCount == 0, "\(key)") }
        if action == .rollback {
            #expect(trainer.rollbackCount == 1)
            #expect(trainer.skippedBatches.map(\.cursor) == [poisoned])
            #expect(trainer.learningRateScale == 0.5)  // the default backoff: the replay changes course
        }
        let loss = trainer.evaluate(SequenceSource(batchesPerEpoch: 2)).loss, clean = try Self.cleanLoss()
        #expect(loss.isFinite)
        #expect(abs(loss - clean) < 0.5 * clean + 0.01, "loss \(loss), clean run \(clean)")
        let directory = temporaryDirectory("reliability-nan-\(step)-\(action)")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try trainer.saveCheckpoint(to: directory + "/checkpoint")
    }

    /// A finite blow-up at step 1 is seen at once (the growth rule needs one earlier step, not a
    /// full window) and rolled back to a state that passed the monitors.
    @Test func explosionInTheFirstStepsIsRolledBackToAGoodState() throws {
        let log = EventLog()
        var configuration = TrainerConfiguration(seed: 3)
        configuration.rollback = RollbackPolicy(snapshotInterval: 1)
        var trainer = makeTrainer(
            monitors: [NonFiniteMonitor(action: .rollback), GradientExplosionMonitor(action: .rollback)], configuration: configuration, events: log)
        let source = ScaledSource(scaled: Self.cursor(ofStep: 1), factor: 1e4)
        let result = try trainer.fit(epochs: 2, source: source)
        #expect(result.stopReason == .completed)
        let rollbacks = log.events.compactMap { if case .actionTaken(let record) = $0, record.action == .rollback { record } else { nil } }
        #expect(rollbacks.map(\.step) == [1])
        // The state at the start of step 1 passed step 1's monitors? No: step 1 failed, so the
        // ring's newest entry is the start of step 0.
        #expect(rollbacks.first?.restoredStep == 0)
        #expect(trainer.skippedBatches.map(\.cursor) == [Self.cursor(ofStep: 1)])
    }

    /// The state at the start of a step that fails the monitors never enters the ring, even on a
    /// snapshot step.
    @Test func snapshotsAreOnlyOfStatesThatPassedTheMonitors() throws {
        let log = EventLog()
        var configuration = TrainerConfiguration(seed: 3)
        configuration.rollback = RollbackPolicy(snapshotInterval: 4, maxRollbacks: 3)
        var trainer = makeTrainer(monitors: [NonFiniteMonitor(action: .rollback, escalateAfter: nil)], configuration: configuration, events: log)
        // Step 4 (a snapshot step) and step 5 are poisoned: the rollback at 4 restores step 0;
        // after replay, step 4 is skipped, and the rollback at 5 restores step 0 again, since the
        // state before step 5 was never judged good at a snapshot step.
        struct TwoPoisons: BatchSource {
            var batchesPerEpoch: Int { 8 }
            func batch(epoch: Int, index: Int) -> Batch<Float> {
                SequenceSource(poisoned: epoch == 0 && (index == 4 || index == 5) ? TrainingCursor(epoch: epoch, index: index) : nil)
                    .batch(epoch: epoch, index: index)
            }
        }
        try trainer.fit(epochs: 1, source: TwoPoisons())
        let restored = log.events.compactMap { if case .actionTaken(let record) = $0, record.action == .rollback { record.restoredStep } else { nil } }
        #expect(restored == [0, 0])
        for (_, tensor) in trainer.model.parameters { #expect(tensor.nonFiniteCount == 0) }
    }

    /// The budget is per incident: two separate spikes each get their retries, while one that
    /// keeps failing exhausts it.
    @Test func theRollbackBudgetIsPerIncident() throws {
        var configuration = TrainerConfiguration(seed: 3)
        configuration.rollback = RollbackPolicy(snapshotInterval: 2, maxRollbacks: 1)
        var trainer = makeTrainer(monitors: [NonFiniteMonitor(action: .rollback, escalateAfter: nil)], configuration: configuration)
        struct Poisons: BatchSource {
            var batchesPerEpoch: Int { 8 }
            func batch(epoch: Int, index: Int) -> Batch<Float> {
                let poisoned = (epoch == 0 && index == 3) || (epoch == 2 && index == 5)
                return SequenceSource(poisoned: poisoned ? TrainingCursor(epoch: epoch, index: index) : nil).batch(epoch: epoch, index: index)
            }
        }
        let result = try trainer.fit(epochs: 4, source: Poisons())
        #expect(result.stopReason == .completed)
        #expect(trainer.rollbackCount == 2)
        #expect(trainer.rollbacksInARow == 0)
        #expect(trainer.learningRateScale == 0.25)
    }

    /// With nothing to stop it, a NaN reaches the weights; saving then refuses and leaves the
    /// previous checkpoint untouched.
    @Test func aCheckpointNeverHoldsNonFiniteWeights() throws {
        let directory = temporaryDirectory("reliability-non-finite") + "/checkpoint"
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: directory).deletingLastPathComponent().path) }
        var trainer = makeTrainer()
        try trainer.fit(epochs: 1, source: SequenceSource())
        try trainer.saveCheckpoint(to: directory)
        let before = try CheckpointDirectory.verify(directory)
        try trainer.fit(epochs: 2, source: SequenceSource(poisoned: TrainingCursor(epoch: 1, index: 0)))
        #expect(trainer.model.parameters.nonFiniteCount > 0)
        #expect(throws: CheckpointError.self) { try trainer.saveCheckpoint(to: directory) }
        let after = try CheckpointDirectory.verify(directory)
        #expect(after.files == before.files)
    }

    /// Every single-byte change anywhere in a small checkpoint is refused by `loadCheckpoint`,
    /// which then leaves the trainer untouched.
    @Test func corruptionAtEveryByteIsRefused() throws {
        let root = temporaryDirectory("reliability-corruption")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = root + "/checkpoint"
        var trainer = makeTrainer()
        try trainer.fit(epochs: 1, source: SequenceSource(batchesPerEpoch: 2))
        try trainer.saveCheckpoint(to: directory, extraFiles: ["notes.json": Array(#"{"a": 1}"#.utf8)])
        var target = makeTrainer()
        let untouched = target.model.parameters
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == ["manifest.json", "notes.json", "trainer.json", "weights.safetensors"])
        var accepted: [String] = []
        var checked = 0
        for name in names {
            let path = directory + "/" + name
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            // One byte rewritten in place per case (rewriting whole files made this I/O-bound).
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            for offset in 0..<original.count {
                try handle.seek(toOffset: UInt64(offset))
                try handle.write(contentsOf: [original[offset] ^ 0x04])
                do {
                    try target.loadCheckpoint(from: directory)
                    accepted.append("\(name)@\(offset)")
                } catch is CheckpointError {
                    checked += 1
                }
                try handle.seek(toOffset: UInt64(offset))
                try handle.write(contentsOf: [original[offset]])
            }
        }
        #expect(accepted.isEmpty, "accepted corruptions: \(accepted.prefix(10))")
        #expect(checked > 1000)
        #expect(target.model.parameters == untouched)
        try target.loadCheckpoint(from: directory)  // the restored files load
        #expect(target.model.parameters == trainer.model.parameters)
    }

    /// Truncation and removal of any file are refused too; stale staging directories of dead runs
    /// go at the next save.
    @Test func truncatedMissingAndStaleFiles() throws {
        let root = temporaryDirectory("reliability-truncated")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = root + "/checkpoint"
        var trainer = makeTrainer()
        try trainer.fit(epochs: 1, source: SequenceSource(batchesPerEpoch: 2))
        try trainer.saveCheckpoint(to: directory)
        for name in ["manifest.json", "trainer.json", "weights.safetensors"] {
            let url = URL(fileURLWithPath: directory + "/" + name)
            let original = try Data(contentsOf: url)
            try original.prefix(original.count / 2).write(to: url)
            #expect(throws: CheckpointError.self) { try trainer.loadCheckpoint(from: directory) }
            try FileManager.default.removeItem(at: url)
            #expect(throws: CheckpointError.self) { try trainer.loadCheckpoint(from: directory) }
            try original.write(to: url)
        }
        // A dead run's staging directories (pid 2³⁰ is never a live process here) are removed.
        for stale in [".checkpoint.partial-1073741824", ".checkpoint.previous-1073741825"] {
            try FileManager.default.createDirectory(atPath: root + "/" + stale, withIntermediateDirectories: true)
        }
        try trainer.saveCheckpoint(to: directory)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["checkpoint"])
        // A directory that is not a checkpoint is never replaced.
        let foreign = root + "/foreign"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: foreign + "/notes.txt"))
        #expect(throws: CheckpointError.self) { try trainer.saveCheckpoint(to: foreign) }
        #expect(FileManager.default.fileExists(atPath: foreign + "/notes.txt"))
    }
}
