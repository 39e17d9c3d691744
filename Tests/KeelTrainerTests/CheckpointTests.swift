import Foundation
import Testing
import KeelTrainer

@Suite struct CheckpointTests {
    @Test func resumeEqualsUninterruptedRunBitForBit() throws {
        let directory = temporaryDirectory("resume")
        let source = SequenceSource()
        var uninterrupted = makeTrainer(monitors: [NonFiniteRollbackMonitor()])
        try uninterrupted.fit(epochs: 3, source: source, validation: SequenceSource(batchesPerEpoch: 1))

        var first = makeTrainer(monitors: [NonFiniteRollbackMonitor()])
        try first.fit(epochs: 3, source: source, validation: SequenceSource(batchesPerEpoch: 1), maxSteps: 11)
        try first.saveCheckpoint(to: directory + "/ckpt")
        var resumed = makeTrainer(monitors: [NonFiniteRollbackMonitor()])
        try resumed.loadCheckpoint(from: directory + "/ckpt")
        #expect(resumed.step == 11)
        try resumed.fit(epochs: 3, source: source, validation: SequenceSource(batchesPerEpoch: 1))
        #expect(resumed.model.parameters == uninterrupted.model.parameters)
        #expect(resumed.step == uninterrupted.step)
    }

    @Test func truncatedCheckpointIsRefusedAndTrainerUnchanged() throws {
        let directory = temporaryDirectory("truncated")
        var trainer = makeTrainer()
        try trainer.fit(epochs: 1, source: SequenceSource(), maxSteps: 3)
        try trainer.saveCheckpoint(to: directory + "/good")
        let weights = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/good/weights.safetensors")))
        var target = makeTrainer()
        let before = target.model.parameters
        for cut in stride(from: 0, to: weights.count, by: 37) + [7, 8, 9, weights.count - 1] {
            let bad = directory + "/bad"
            try? FileManager.default.removeItem(atPath: bad)
            try FileManager.default.copyItem(atPath: directory + "/good", toPath: bad)
            try Data(weights[0..<cut]).write(to: URL(fileURLWithPath: bad + "/weights.safetensors"))
            #expect(throws: CheckpointError.sizeMismatch(file: "weights.safetensors", expected: weights.count, found: cut)) {
                try target.loadCheckpoint(from: bad)
            }
            #expect(target.model.parameters == before && target.step == 0)
        }
        // The reader itself refuses every truncation with a typed error.
        for cut in 0..<weights.count {
            #expect(throws: SafeTensorsError.self) { _ = try SafeTensorsFile(bytes: Array(weights[0..<cut])) }
        }
        // A flipped byte is caught by the checksum; the good checkpoint still loads.
        var flipped = weights
        flipped[flipped.count - 2] ^= 0xFF
        try Data(flipped).write(to: URL(fileURLWithPath: directory + "/bad/weights.safetensors"))
        #expect(throws: CheckpointError.self) { try target.loadCheckpoint(from: directory + "/bad") }
        try target.loadCheckpoint(from: directory + "/good")
        #expect(target.model.parameters == trainer.model.parameters)
    }

    @Test func mismatchedModelIsRefused() throws {
        let directory = temporaryDirectory("mismatch")
        let trainer = makeTrainer()
        try trainer.saveCheckpoint(to: directory + "/ckpt")
        var wider = Trainer(
            model: makeModel(hidden: 12), loss: MeanSquaredError<Float>(), pipeline: makePipeline(),
            configuration: TrainerConfiguration(seed: 3))
        #expect(throws: CheckpointError.shapeMismatch(
            file: "weights.safetensors", key: "recurrent.weightIH", expected: [12, 2], found: [8, 2])) {
            try wider.loadCheckpoint(from: directory + "/ckpt")
        }
        var other = Trainer(
            model: makeModel().recurrent, loss: MeanSquaredError<Float>(), pipeline: makePipeline(),
            configuration: TrainerConfiguration(seed: 3))
        #expect(throws: CheckpointError.missingTensor(file: "weights.safetensors", key: "weightIH")) {
            try other.loadCheckpoint(from: directory + "/ckpt")
        }
        var withMonitor = makeTrainer(monitors: [SkipEverythingMonitor()])
        #expect(throws: CheckpointError.self) { try withMonitor.loadCheckpoint(from: directory + "/ckpt") }
    }

    @Test func safetensorsHeaderFormat() throws {
        let tensors = ParameterSet<Float>([("b", Tensor(shape: [2], scalars: [1, -2])), ("a", Tensor(shape: [1, 1], scalars: [0.5]))])
        let bytes = SafeTensors.encode(tensors, metadata: ["step": "3"])
        var length = 0
        for i in 0..<8 { length |= Int(bytes[i]) << (8 * i) }
        #expect(length % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        #expect(header == #"{"__metadata__":{"step":"3"},"a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#)
        #expect(Array(bytes[(8 + length)...]) == [0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
        let file = try SafeTensorsFile(bytes: bytes)
        #expect(try file.tensor(named: "b", as: Float.self) == tensors["b"])
        #expect(file.metadata == ["step": "3"])
        #expect(throws: SafeTensorsError.dtypeMismatch(name: "a", expected: "F64", found: "F32")) { _ = try file.tensor(named: "a", as: Double.self) }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["KEEL_PYTHON_TESTS"] == "1"))
    func independentPythonReaderReadsTheWeights() throws {
        let directory = temporaryDirectory("python")
        var trainer = makeTrainer()
        try trainer.fit(epochs: 1, source: SequenceSource(), maxSteps: 2)
        try trainer.saveCheckpoint(to: directory + "/ckpt")
        let expected = Dictionary(uniqueKeysWithValues: trainer.model.parameters.map { ($0.key.rawValue, $0.tensor.scalars.map(Double.init)) })
        try JSONEncoder().encode(expected).write(to: URL(fileURLWithPath: directory + "/expected.json"))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/read_safetensors.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, directory + "/ckpt/weights.safetensors", directory + "/expected.json"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
