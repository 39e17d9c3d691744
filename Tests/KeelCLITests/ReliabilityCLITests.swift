#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import KeelCommands
import KeelTrainer
import KeelMonitors
import KeelReport

/// No crash on any input, honest exit codes, checkpoints verified by every command that reads
/// them, and atomic under kill -9.
///
/// Opt-in longer runs: `KEEL_KILL_TESTS=50` kills 50 runs during checkpointing instead of 3;
/// `KEEL_CORRUPTION_FULL=1` corrupts every byte of every file for each command (the default
/// corrupts every byte of the small files and a stride through the large ones).
@Suite struct ReliabilityCLITests {
    static let tiny = ["train", "--task", "adding", "--hidden", "8", "--batch-size", "4", "--sequence-length", "8", "--steps", "3"]
    /// Swift internals a user must never read.
    static let internals = ["DecodingError", "CodingKeys", "NSCocoaErrorDomain", "Error Domain", "Fatal error", "Backtrace"]

    /// Each case: extra arguments and a fragment the one `error:` line must contain.
    static let flagCases: [([String], String)] = [
        (["--learning-rate", "nan"], "learning-rate must be a finite number > 0 (got nan)"),
        (["--learning-rate", "inf"], "learning-rate must be a finite number > 0"),
        (["--learning-rate", "1e400"], "learning-rate must be a finite number > 0"),
        (["--learning-rate", "-0.1"], "learning-rate must be a finite number > 0 (got -0.1)"),
        (["--clip-threshold", "nan"], "clip-threshold must be a finite number > 0"),
        (["--clip-threshold", "-1"], "clip-threshold must be a finite number > 0"),
        (["--spectral-radius", "nan"], "spectral-radius must be a finite number > 0"),
        (["--spectral-radius", "-2"], "spectral-radius must be a finite number > 0"),
        (["--init-weights", "normal", "--init-std", "-1"], "init-std must be a finite number > 0"),
        (["--hidden", "-1"], "hidden must be > 0 (got -1)"),
        (["--hidden", "4611686018427387904"], "hidden must be at most"),
        (["--hidden", "1000000000"], "GB of memory"),
        (["--batch-size", "1000000000"], "GB of memory"),
        (["--sequence-length", "1000000000"], "GB of memory"),
        (["--layers", "-3"], "layers must be > 0"),
        (["--steps", "-5"], "steps must be > 0 (got -5)"),
        (["--seed", "-1"], "seed must be a whole number"),
        (["--test-sequences", "-10"], "test-sequences must be > 0"),
        (["--dropout", "nan"], "dropout must be in [0, 1)"),
        (["--epochs", "9223372036854775807"], "epochs must be at most"),
        (["--vanishing-gradient-regularizer", "inf", "--cell", "rnn-tanh"], "vanishing-gradient-regularizer must be finite"),
    ]

    @Test(arguments: flagCases)
    func badFlagStopsWithOneClearError(extra: [String], fragment: String) throws {
        let result = try KeelExecutable.run(Self.tiny + extra)
        #expect(result.status == 1, "status \(result.status) for \(extra): \(result.output)")
        #expect(result.standardError.hasPrefix("error: "), "\(result.standardError)")
        #expect(result.standardError.contains(fragment), "\(result.standardError)")
        for word in Self.internals { #expect(!result.output.contains(word), "\(word) in \(result.output)") }
    }

    @Test func badFilesAndConfigsStopWithOneClearError() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ name: String, _ contents: Data) throws -> String {
            let url = directory.appendingPathComponent(name)
            try contents.write(to: url)
            return url.path
        }
        let syntax = try file("syntax.json", Data("{\n  \"cell\": \"gru\",\n  \"hidden\" 8\n}".utf8))
        let duplicate = try file("duplicate.json", Data(#"{"hidden": 8, "hidden": 16}"#.utf8))
        let nul = try file("nul.txt", Data(count: 4096))
        let single = try file("single.txt", Data(String(repeating: "a", count: 5000).utf8))
        let nan = try file("nan.npy", NPYFixture.float32(shape: [4, 3, 1], values: [1, 2, .nan] + Array(repeating: 0, count: 9)))
        let targets = try file("y.npy", NPYFixture.float32(shape: [4], values: [1, 2, 3, 4]))
        let infTargets = try file("inf.npy", NPYFixture.float32(shape: [4], values: [1, .infinity, 3, 4]))
        let inputs = try file("x.npy", NPYFixture.float32(shape: [4, 3, 1], values: Array(repeating: 0.5, count: 12)))
        let cases: [([String], [String])] = [
            (["train", "--config", syntax], ["syntax.json", "line 3, column 12", "expected ':'"]),
            (["train", "--config", duplicate], ["duplicate.json", "duplicate key \"hidden\""]),
            (["train", "--config", directory.path], [directory.path, "is a directory"]),
            (["train", "--text", directory.path, "--steps", "1"], [directory.path, "is a directory"]),
            (["train", "--csv", directory.path, "--target", "a"], [directory.path, "is a directory"]),
            (["train", "--text", nul, "--steps", "1"], ["nul.txt", "NUL character"]),
            (["train", "--text", single, "--steps", "1"], ["single.txt", "1 distinct character"]),
            (["train", "--npy-inputs", nan, "--npy-targets", targets], ["nan.npy", "element [0, 2, 0] is nan"]),
            (["train", "--npy-inputs", inputs, "--npy-targets", infTargets], ["inf.npy", "element [1] is inf"]),
            (Self.tiny + ["--log", directory.path], [directory.path, "is a directory"]),
            (Self.tiny + ["--checkpoint-dir", directory.path], ["not a Keel checkpoint", "refusing to replace it"]),
            (Self.tiny + ["--best-checkpoint-dir", nul], ["nul.txt", "a checkpoint is a directory"]),
            (["sample", directory.path], [directory.path, "manifest.json"]),
            (["evaluate", directory.appendingPathComponent("missing").path, "--text", single], ["no such checkpoint directory"]),
        ]
        for (arguments, fragments) in cases {
            let result = try KeelExecutable.run(arguments)
            #expect(result.status == 1, "status \(result.status) for \(arguments): \(result.output)")
            for fragment in fragments { #expect(result.standardError.contains(fragment), "\(arguments): \(result.standardError)") }
            for word in Self.internals { #expect(!result.output.contains(word), "\(word) in \(result.output)") }
        }
        // Nothing given as an output was replaced or removed.
        #expect(FileManager.default.fileExists(atPath: syntax) && FileManager.default.fileExists(atPath: nul))
    }

    /// 0 when the run reached its steps; 3 stopped by a monitor; 4 rollback budget exhausted;
    /// 5 non-finite weights (and no checkpoint written with them).
    @Test func exitCodesSayHowTheRunEnded() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let exploding = ["train", "--task", "adding", "--hidden", "8", "--batch-size", "4", "--sequence-length", "8", "--steps", "20",
                         "--optimizer", "sgd", "--clip", "none", "--learning-rate", "1e6"]
        #expect(try KeelExecutable.run(Self.tiny).status == 0)
        #expect(try KeelExecutable.run(exploding + ["--on-explosion", "stop"]).status == 3)
        let rollback = try KeelExecutable.run(exploding + ["--on-explosion", "rollback"])
        #expect(rollback.status == 4, "\(rollback.output)")
        #expect(rollback.standardOutput.contains("exit status 4: the rollback budget was exhausted"))
        // Skipping cannot undo what step 0 did at this rate: finite weights, absurd loss.
        let skip = try KeelExecutable.run(exploding + ["--on-explosion", "skip"])
        #expect(skip.status == 5, "\(skip.output)")
        #expect(skip.standardOutput.contains("the model diverged: its validation loss is"))
        let checkpoint = directory.appendingPathComponent("ckpt").path
        let warn = try KeelExecutable.run(exploding + ["--on-explosion", "warn", "--checkpoint-dir", checkpoint])
        #expect(warn.status == 5, "\(warn.output)")
        #expect(warn.standardOutput.contains("no checkpoint was written with them"))
        #expect(!FileManager.default.fileExists(atPath: checkpoint))
    }

    /// Resuming a copy writes into the copy, from any working directory (data paths are stored
    /// relative to the checkpoint): the original is never touched.
    @Test func resumingACopyNeverTouchesTheOriginal() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (original, _, _) = try Self.textCheckpoint(in: directory)
        let options = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: original + "/keel-options.json"))) as? [String: Any]
        #expect(options?["text"] as? String == "../corpus.txt")
        #expect(options?["checkpoint-dir"] == nil)
        let copy = directory.appendingPathComponent("copy").path
        try FileManager.default.copyItem(atPath: original, toPath: copy)
        let before = try FileManager.default.contentsOfDirectory(atPath: original).sorted().map {
            try Data(contentsOf: URL(fileURLWithPath: original + "/" + $0))
        }
        let elsewhere = directory.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let resumed = try KeelExecutable.run(["train", "--resume", copy, "--steps", "4"], in: elsewhere)
        #expect(resumed.status == 0, "\(resumed.output)")
        let after = try FileManager.default.contentsOfDirectory(atPath: original).sorted().map {
            try Data(contentsOf: URL(fileURLWithPath: original + "/" + $0))
        }
        #expect(before == after)
        #expect(try CheckpointDirectory.verify(copy).step == 4)
    }

    /// A run killed while writing its log leaves an unterminated last line: the resumed run
    /// appending to the log cuts it off first, so `keel report` still reads every line.
    @Test func theLogOfAKilledRunStaysReadableWhenResumed() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("ckpt").path, log = directory.appendingPathComponent("run.jsonl").path
        let first = try KeelExecutable.run(Self.tiny.dropLast(2) + ["--steps", "3", "--checkpoint-dir", checkpoint, "--log", log])
        #expect(first.status == 0, "\(first.output)")
        // What a run killed at step 4 after the checkpoint at 3 leaves: step 3 logged, a line cut.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((#"{"globalGradientNorm":1,"learningRate":0.003,"loss":1,"step":3,"epoch":0,"type":"stepCompleted"}"#
            + "\n" + #"{"globalGradientNorm":1,"lea"#).utf8))
        try handle.close()
        let resumed = try KeelExecutable.run(["train", "--resume", checkpoint, "--steps", "5", "--log", log])
        #expect(resumed.status == 0, "\(resumed.output)")
        let report = try KeelExecutable.run(["report", log, "--output", directory.appendingPathComponent("report.html").path])
        #expect(report.status == 0, "\(report.output)")
        #expect(report.standardOutput.contains("5 steps"))
        let steps = try RunLog(contentsOfFile: log).steps.map(\.step)
        #expect(steps == Array(0..<5))
    }

    /// A text checkpoint written in-process, its options, and the evaluation text.
    static func textCheckpoint(in directory: URL) throws -> (checkpoint: String, text: String, options: TrainOptions) {
        let text = directory.appendingPathComponent("corpus.txt").path
        let words = ["the", "cat", "sat", "on", "a", "mat", "and", "ran"]
        var generator = SystemRandomNumberGenerator()
        try (0..<600).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ").write(toFile: text, atomically: true, encoding: .utf8)
        var options = TrainOptions()
        options.text = text
        options.hidden = 4
        options.embeddingDimension = 2
        options.batchSize = 2
        options.sequenceLength = 8
        options.steps = 2
        options.monitors = MonitorSetChoice.none
        options.checkpointDir = directory.appendingPathComponent("checkpoint").path
        try TrainRunner(options: options, progressMode: .plainLines, write: { _ in }).run()
        return (options.checkpointDir!, text, options)
    }

    /// Every single-byte change in the small files of a checkpoint (and a stride through the
    /// weights and trainer state; every byte with `KEEL_CORRUPTION_FULL=1`) is refused by
    /// `keel sample`, `keel evaluate` and `--resume`, each through its own entry point.
    @Test func everyCommandRefusesACorruptCheckpoint() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (checkpoint, text, options) = try Self.textCheckpoint(in: directory)
        let full = ProcessInfo.processInfo.environment["KEEL_CORRUPTION_FULL"] == "1"
        let commands: [(String, () throws -> Void)] = [
            ("sample", { _ = try TextSampler(checkpoint: checkpoint, length: 5, temperature: 1, seed: 0, prime: "").generate() }),
            ("evaluate", { _ = try TextEvaluator(checkpoint: checkpoint, text: text, batchSize: 2).evaluate() }),
            ("resume options", { _ = try TrainRunner.savedOptions(in: checkpoint) }),
            ("resume", {
                var resumed = options
                resumed.steps = 3
                try TrainRunner(options: resumed, resume: checkpoint, progressMode: .plainLines, write: { _ in }).run()
            }),
        ]
        for (_, command) in commands { try command() }  // the intact checkpoint loads
        let names = try FileManager.default.contentsOfDirectory(atPath: checkpoint).sorted()
        #expect(names == ["keel-options.json", "manifest.json", "model.json", "trainer.json", "vocabulary.json", "weights.safetensors"])
        var accepted: [String] = []
        var refused = 0
        for name in names {
            let url = URL(fileURLWithPath: checkpoint + "/" + name)
            let original = try Data(contentsOf: url)
            let handle = try FileHandle(forUpdating: url)
            defer { try? handle.close() }
            let stride = full || original.count < 1000 ? 1 : original.count / 150
            for offset in Swift.stride(from: 0, to: original.count, by: stride) {
                try handle.seek(toOffset: UInt64(offset))
                try handle.write(contentsOf: [original[offset] &+ 1])
                defer {
                    try? handle.seek(toOffset: UInt64(offset))
                    try? handle.write(contentsOf: [original[offset]])
                }
                for (command, body) in commands where command != "resume" || offset % (stride * 7) == 0 {
                    do {
                        try body()
                        accepted.append("\(command): \(name)@\(offset)")
                    } catch {
                        refused += 1
                        let message = "\(error)"
                        if Self.internals.contains(where: message.contains) { accepted.append("\(command): internals in '\(message)'") }
                    }
                }
            }
        }
        #expect(accepted.isEmpty, "\(accepted.prefix(10))")
        #expect(refused > 2000)
        for (_, command) in commands { try command() }  // and loads again once restored
    }

    /// kill -9 at random moments while a run checkpoints every step: the checkpoint always loads,
    /// and the next run removes the dead runs' staging directories.
    @Test func killDuringCheckpointingNeverLeavesAnUnloadableCheckpoint() throws {
        let kills = Int(ProcessInfo.processInfo.environment["KEEL_KILL_TESTS"] ?? "") ?? 3
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("ckpt").path
        let base = ["train", "--task", "adding", "--hidden", "16", "--batch-size", "8", "--sequence-length", "16", "--steps", "1000000",
                    "--checkpoint-dir", checkpoint, "--checkpoint-every", "1", "--monitors", "none"]
        var generator = SystemRandomNumberGenerator()
        var unloadable: [String] = []
        for attempt in 0..<kills {
            let process = Process()
            process.executableURL = KeelExecutable.url
            process.arguments = attempt == 0 ? base : ["train", "--resume", checkpoint]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait until this run has written a checkpoint of its own (it writes one every
            // step from then on), then kill it at a random moment.
            let before = (try? CheckpointDirectory.verify(checkpoint).step) ?? -1
            let deadline = Date().addingTimeInterval(30)
            while ((try? CheckpointDirectory.verify(checkpoint).step) ?? -1) <= before && Date() < deadline { usleep(1000) }
            usleep(UInt32.random(in: 0...40_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            do {
                _ = try CheckpointDirectory.verify(checkpoint)
                _ = try TrainRunner.savedOptions(in: checkpoint)
            } catch {
                unloadable.append("kill \(attempt): \(error)")
            }
        }
        #expect(unloadable.isEmpty, "\(unloadable)")
        // A last, short resumed run finishes, and its save removes the dead runs' staging.
        let reached = try CheckpointDirectory.verify(checkpoint).step
        let finish = try KeelExecutable.run(["train", "--resume", checkpoint, "--steps", "\(reached + 1)"])
        #expect(finish.status == 0, "\(finish.output)")
        let staged = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0 != "ckpt" }
        #expect(staged.isEmpty, "left behind: \(staged)")
    }
}
