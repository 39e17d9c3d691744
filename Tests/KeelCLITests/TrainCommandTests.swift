import Foundation
import Testing
import KeelReport

@Suite struct TrainCommandTests {
    static let tiny = ["--task", "adding", "--sequence-length", "8", "--hidden", "8", "--batch-size", "8", "--seed", "4", "--cell", "gru"]

    @Test func resumedTrainingReachesTheSameWeightsAsAnUninterruptedRun() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let whole = directory.appendingPathComponent("whole").path, split = directory.appendingPathComponent("split").path
        let log = directory.appendingPathComponent("split.jsonl").path

        let uninterrupted = try KeelExecutable.run(["train"] + Self.tiny + ["--steps", "6", "--checkpoint-dir", whole])
        #expect(uninterrupted.status == 0, "\(uninterrupted.output)")
        let first = try KeelExecutable.run(["train"] + Self.tiny + ["--steps", "3", "--checkpoint-dir", split, "--log", log])
        #expect(first.status == 0, "\(first.output)")
        for name in ["weights.safetensors", "trainer.json", "manifest.json", "model.json", "keel-options.json"] {
            #expect(FileManager.default.fileExists(atPath: split + "/" + name), "missing \(name)")
        }
        // The saved options are the defaults of a resumed run: only the budget changes. The log
        // (an output, like the checkpoint) is not taken from the checkpoint: it is named again.
        let resumed = try KeelExecutable.run(["train", "--resume", split, "--steps", "6", "--log", log])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.standardOutput.contains("resumed from \(split) at step 3"))

        let a = try Data(contentsOf: URL(fileURLWithPath: whole + "/weights.safetensors"))
        let b = try Data(contentsOf: URL(fileURLWithPath: split + "/weights.safetensors"))
        #expect(a == b)
        // The log continues: steps 0…5 once each.
        let steps = try RunLog(contentsOfFile: log).steps.map(\.step)
        #expect(steps == Array(0..<6))
    }

    @Test func checkpointEveryWritesIntermediateCheckpoints() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("ckpt").path, log = directory.appendingPathComponent("run.jsonl").path
        let result = try KeelExecutable.run(
            ["train"] + Self.tiny + ["--steps", "4", "--checkpoint-dir", checkpoint, "--checkpoint-every", "2", "--log", log,
             "--clip", "agc", "--optimizer", "sgd", "--schedule", "cosine", "--tbptt", "4,2"])
        #expect(result.status == 0, "\(result.output)")
        #expect(try RunLog(contentsOfFile: log).checkpoints.map(\.step) == [2, 4])
    }

    @Test func textTrainingSavesTheVocabularyAndSampleGeneratesText() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = directory.appendingPathComponent("tiny.txt")
        try String(repeating: "hello world, keel trains recurrent nets. ", count: 30).write(to: text, atomically: true, encoding: .utf8)
        let checkpoint = directory.appendingPathComponent("lm").path
        let train = try KeelExecutable.run(
            ["train", "--text", text.path, "--sequence-length", "16", "--hidden", "16", "--batch-size", "4", "--steps", "3",
             "--checkpoint-dir", checkpoint])
        #expect(train.status == 0, "\(train.output)")
        #expect(FileManager.default.fileExists(atPath: checkpoint + "/vocabulary.json"))

        let sample = try KeelExecutable.run(["sample", checkpoint, "--length", "40", "--prime", "hello", "--seed", "2"])
        #expect(sample.status == 0, "\(sample.output)")
        #expect(sample.standardOutput.hasPrefix("hello"))
        #expect(sample.standardOutput.trimmingCharacters(in: .newlines).count == 45)

        // keel evaluate: 123 held-out characters (the default 10%) as 4 streams of 30 predictions.
        let evaluation = try KeelExecutable.run(
            ["evaluate", checkpoint, "--text", text.path, "--batch-size", "4", "--sequence-length", "8", "--json"])
        #expect(evaluation.status == 0, "\(evaluation.output)")
        struct Evaluation: Decodable { var stateful: Double; var windowed: Double; var characters: Int }
        let result = try JSONDecoder().decode(Evaluation.self, from: Data(evaluation.standardOutput.utf8))
        #expect(result.characters == 120)
        #expect(result.stateful.isFinite && result.stateful > 0 && result.windowed.isFinite && result.windowed > 0)
        #expect(result.stateful != result.windowed)
        // One window per stream: both start every stream from the zero state, so they agree exactly.
        let single = try JSONDecoder().decode(Evaluation.self, from: Data(try KeelExecutable.run(
            ["evaluate", checkpoint, "--text", text.path, "--batch-size", "4", "--sequence-length", "30", "--json"]).standardOutput.utf8))
        #expect(single.stateful == single.windowed)
        let badFraction = try KeelExecutable.run(["evaluate", checkpoint, "--text", text.path, "--validation-fraction", "1"])
        #expect(badFraction.status != 0 && badFraction.standardError.contains("--validation-fraction"))

        let unknown = try KeelExecutable.run(["sample", checkpoint, "--prime", "XYZ"])
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("not in the model's vocabulary"))

        try FileManager.default.removeItem(atPath: checkpoint + "/vocabulary.json")
        let missing = try KeelExecutable.run(["sample", checkpoint])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("vocabulary.json: missing"))

        let taskCheckpoint = directory.appendingPathComponent("task").path
        _ = try KeelExecutable.run(["train"] + Self.tiny + ["--steps", "1", "--checkpoint-dir", taskCheckpoint])
        let wrongKind = try KeelExecutable.run(["sample", taskCheckpoint])
        #expect(wrongKind.status != 0)
        #expect(wrongKind.standardError.contains("needs a character-level model"))
        let wrongEvaluation = try KeelExecutable.run(["evaluate", taskCheckpoint, "--text", text.path])
        #expect(wrongEvaluation.status != 0)
        #expect(wrongEvaluation.standardError.contains("keel evaluate needs a character-level model"))
    }

    @Test func bestCheckpointKeepsTheLowestValidationLossAndHeadDropoutIsSaved() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = directory.appendingPathComponent("tiny.txt")
        try String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 40).write(to: text, atomically: true, encoding: .utf8)
        let last = directory.appendingPathComponent("last").path, best = directory.appendingPathComponent("best").path
        let log = directory.appendingPathComponent("run.jsonl").path
        // A learning rate high enough that validation loss goes up again at the end (step 24 is
        // worse than step 21), so keeping the best and keeping the last give different checkpoints.
        let train = try KeelExecutable.run(
            ["train", "--text", text.path, "--sequence-length", "12", "--hidden", "16", "--batch-size", "4", "--steps", "24",
             "--validate-every", "3", "--head-dropout", "0.3", "--learning-rate", "1", "--seed", "3", "--validation-streams", "3",
             "--checkpoint-dir", last, "--best-checkpoint-dir", best, "--log", log])
        #expect(train.status == 0, "\(train.output)")
        let validations = try RunLog(contentsOfFile: log).validations
        #expect(validations.map(\.step) == [3, 6, 9, 12, 15, 18, 21, 24])
        let losses = validations.compactMap { $0.metrics["loss"] }
        let lowest = try #require(losses.min())
        let bestStep = validations[try #require(losses.firstIndex(of: lowest))].step
        #expect(bestStep < 24, "the run must get worse at the end for this test to tell best from last: \(losses)")
        #expect(train.standardOutput.contains("best validation loss"), "\(train.output)")
        #expect(train.standardOutput.contains("at step \(bestStep): \(best)"), "\(train.output)")
        // The best directory is a complete checkpoint of that step: evaluate reads it, and its
        // trainer state is at the best step.
        struct Manifest: Decodable { var step: Int }
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: best + "/manifest.json")))
        #expect(manifest.step == bestStep)
        let lastManifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: last + "/manifest.json")))
        #expect(lastManifest.step == 24)
        let evaluation = try KeelExecutable.run(
            ["evaluate", best, "--text", text.path, "--sequence-length", "12", "--batch-size", "4", "--validation-streams", "3", "--json"])
        #expect(evaluation.status == 0, "\(evaluation.output)")
        // The stream split holds out 10% of each of 3 rows (3 × 60 = 180 characters), read as 4
        // streams of 44 predictions.
        struct Evaluation: Decodable { var characters: Int }
        #expect(try JSONDecoder().decode(Evaluation.self, from: Data(evaluation.standardOutput.utf8)).characters == 176)
        // The head dropout is part of the saved model description.
        struct Model: Decodable { struct Specification: Decodable { var headDropout: Double }; var specification: Specification }
        let model = try JSONDecoder().decode(Model.self, from: Data(contentsOf: URL(fileURLWithPath: best + "/model.json")))
        #expect(model.specification.headDropout == 0.3)

        let same = try KeelExecutable.run(["train", "--text", text.path, "--steps", "1", "--checkpoint-dir", last, "--best-checkpoint-dir", last])
        #expect(same.status != 0 && same.standardError.contains("best-checkpoint-dir must differ from checkpoint-dir"))
        let badStreams = try KeelExecutable.run(["train", "--task", "adding", "--steps", "1", "--validation-streams", "2"])
        #expect(badStreams.status != 0 && badStreams.standardError.contains("validation-streams applies to --text data"))
        let badRate = try KeelExecutable.run(["train", "--text", text.path, "--steps", "1", "--head-dropout", "1"])
        #expect(badRate.status != 0 && badRate.standardError.contains("head-dropout must be in [0, 1)"))
    }

    @Test func vanishingGradientRegularizerTrainsAnRNNAndIsSaved() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("checkpoint").path
        let common = ["train", "--task", "adding-pascanu", "--sequence-length", "10", "--hidden", "8", "--batch-size", "4", "--steps", "3"]
        let train = try KeelExecutable.run(
            common + ["--cell", "rnn-tanh", "--vanishing-gradient-regularizer", "2", "--clip", "global-norm", "--checkpoint-dir", checkpoint])
        #expect(train.status == 0, "\(train.output)")
        struct Model: Decodable {
            struct Specification: Decodable { struct Regularizer: Decodable { var weight: Double }; var vanishingGradientRegularizer: Regularizer? }
            var specification: Specification
        }
        let model = try JSONDecoder().decode(Model.self, from: Data(contentsOf: URL(fileURLWithPath: checkpoint + "/model.json")))
        #expect(model.specification.vanishingGradientRegularizer?.weight == 2)

        let gated = try KeelExecutable.run(common + ["--vanishing-gradient-regularizer", "2"])
        #expect(gated.status != 0 && gated.standardError.contains("vanishing-gradient-regularizer applies to rnn-tanh and rnn-relu cells (got cell lstm)"), "\(gated.output)")
        let negative = try KeelExecutable.run(common + ["--cell", "rnn-relu", "--vanishing-gradient-regularizer=-1"])
        #expect(negative.status != 0 && negative.standardError.contains("vanishing-gradient-regularizer must be finite and ≥ 0"), "\(negative.output)")
    }

    @Test func pascanuSpectralWarningOnlyForElmanCells() throws {
        // σ_max(W_hh) = 1.5 > 1/γ: a warning sign for a tanh RNN, meaningless for gated cells.
        let common = ["--task", "adding", "--sequence-length", "8", "--hidden", "8", "--batch-size", "8", "--steps", "2",
                      "--spectral-radius", "1.5", "--monitor-every", "1"]
        let elman = try KeelExecutable.run(["train"] + common + ["--cell", "rnn-tanh"])
        #expect(elman.status == 0, "\(elman.output)")
        #expect(elman.output.contains("exploding gradients are possible"), "\(elman.output)")
        for cell in ["lstm", "gru"] {
            let gated = try KeelExecutable.run(["train"] + common + ["--cell", cell])
            #expect(gated.status == 0, "\(gated.output)")
            #expect(!gated.output.contains("exploding gradients are possible"), "\(cell): \(gated.output)")
        }
    }

    @Test func csvAndNPYDataTrain() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("series.csv")
        var rows = ["time,a,b"]
        for t in 0..<80 { rows.append("\(t),\(sin(Double(t) / 5)),\(cos(Double(t) / 7))") }
        try rows.joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        let fromCSV = try KeelExecutable.run(
            ["train", "--csv", csv.path, "--columns", "a,b", "--target", "b", "--sequence-length", "8", "--hidden", "8", "--steps", "3"])
        #expect(fromCSV.status == 0, "\(fromCSV.output)")

        let inputs = directory.appendingPathComponent("x.npy"), targets = directory.appendingPathComponent("y.npy")
        try NPYFixture.float32(shape: [6, 5, 3], values: (0..<90).map { Float($0) / 90 }).write(to: inputs)
        try NPYFixture.float32(shape: [6], values: (0..<6).map(Float.init)).write(to: targets)
        let fromNPY = try KeelExecutable.run(
            ["train", "--npy-inputs", inputs.path, "--npy-targets", targets.path, "--hidden", "4", "--batch-size", "3", "--steps", "2"])
        #expect(fromNPY.status == 0, "\(fromNPY.output)")
    }
}

/// Hand-built .npy files, good and bad.
enum NPYFixture {
    static func file(descr: String, shape: [Int], payload: Data) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        let length = UInt16(header.utf8.count)
        data += Data([UInt8(length & 0xff), UInt8(length >> 8)])
        return data + Data(header.utf8) + payload
    }

    static func float32(shape: [Int], values: [Float]) -> Data {
        var payload = Data()
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { payload += Data($0) } }
        return file(descr: "<f4", shape: shape, payload: payload)
    }
}
