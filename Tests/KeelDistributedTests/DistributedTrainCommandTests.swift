import Foundation
import Testing

/// `mpirun -np N keel train ARGS` against `keel train ARGS`: the same per-step losses, one log
/// and one checkpoint (rank 0's), checkpoints that resume on another rank count, and clear
/// errors when ranks differ or the batch does not split.
@Suite(.serialized, .enabled(if: MPILauncher.isAvailable, MPILauncher.unavailableReason))
struct DistributedTrainCommandTests {
    /// The issue's done-when command, without its log file.
    static let arguments = [
        "train", "--task", "adding", "--sequence-length", "30", "--cell", "lstm", "--hidden", "32", "--batch-size", "32",
        "--steps", "40", "--seed", "7", "--optimizer", "adam", "--learning-rate", "0.003", "--clip", "global-norm",
        "--clip-threshold", "1",
    ]

    @Test func twoRanksLogTheSameLossesAsOneProcess() throws {
        let directory = try MPILauncher.temporaryDirectory()
        let one = try MPILauncher.run(MPILauncher.keel, Self.arguments + ["--log", "one.jsonl"], in: directory)
        #expect(one.status == 0, "\(one.output)")
        let two = try MPILauncher.launch(ranks: 2, MPILauncher.keel, Self.arguments + ["--log", "two.jsonl"], in: directory)
        #expect(two.status == 0, "\(two.output)")
        #expect(two.output.contains("data-parallel on 2 ranks"))
        // Rank 0 alone prints and logs: one summary, one line per step in the log.
        #expect(two.output.components(separatedBy: "finished at step 40 (").count == 2, "\(two.output)")
        let oneLosses = try loggedLosses(directory.appendingPathComponent("one.jsonl"))
        let twoLosses = try loggedLosses(directory.appendingPathComponent("two.jsonl"))
        #expect(oneLosses.count == 40)
        #expect(largestRelativeDifference(oneLosses, twoLosses) <= 1e-4)
    }

    @Test func textWithTruncatedBPTTTrainsPerShard() throws {
        let directory = try MPILauncher.temporaryDirectory()
        var generator = SystemRandomNumberGenerator()
        let words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far"]
        try (0..<4000).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ")
            .write(to: directory.appendingPathComponent("text.txt"), atomically: true, encoding: .utf8)
        let arguments = [
            "train", "--text", "text.txt", "--cell", "gru", "--hidden", "32", "--batch-size", "8", "--sequence-length", "32",
            "--tbptt", "8", "--steps", "15", "--seed", "3",
        ]
        let one = try MPILauncher.run(MPILauncher.keel, arguments + ["--log", "one.jsonl"], in: directory)
        #expect(one.status == 0, "\(one.output)")
        let two = try MPILauncher.launch(ranks: 2, MPILauncher.keel, arguments + ["--log", "two.jsonl"], in: directory)
        #expect(two.status == 0, "\(two.output)")
        let oneLosses = try loggedLosses(directory.appendingPathComponent("one.jsonl"))
        #expect(oneLosses.count == 15)
        #expect(largestRelativeDifference(oneLosses, try loggedLosses(directory.appendingPathComponent("two.jsonl"))) <= 1e-4)
    }

    /// Trains 20 of 40 steps on `first` ranks with a checkpoint, resumes the other 20 on `second`
    /// ranks, and compares steps 20–39 with one uninterrupted process.
    func resume(from first: Int, on second: Int) throws {
        let directory = try MPILauncher.temporaryDirectory()
        func keel(_ ranks: Int, _ arguments: [String]) throws -> MPILauncher.Result {
            ranks == 1
                ? try MPILauncher.run(MPILauncher.keel, arguments, in: directory)
                : try MPILauncher.launch(ranks: ranks, MPILauncher.keel, arguments, in: directory)
        }
        let whole = try keel(1, Self.arguments + ["--log", "whole.jsonl"])
        #expect(whole.status == 0, "\(whole.output)")
        var halfArguments = Self.arguments
        halfArguments[halfArguments.firstIndex(of: "--steps")! + 1] = "20"
        let half = try keel(first, halfArguments + ["--checkpoint-dir", "checkpoint", "--log", "first.jsonl"])
        #expect(half.status == 0, "\(half.output)")
        let rest = try keel(second, ["train", "--resume", "checkpoint", "--steps", "40", "--log", "second.jsonl"])
        #expect(rest.status == 0, "\(rest.output)")
        #expect(rest.output.contains("resumed from checkpoint at step 20"), "\(rest.output)")
        let wholeLosses = try loggedLosses(directory.appendingPathComponent("whole.jsonl"))
        let resumedLosses = try loggedLosses(directory.appendingPathComponent("second.jsonl"))
        #expect(resumedLosses.count == 20)
        #expect(largestRelativeDifference(Array(wholeLosses.suffix(20)), resumedLosses) <= 1e-4)
    }

    @Test func aTwoRankCheckpointResumesOnOneProcess() throws { try resume(from: 2, on: 1) }

    @Test func aOneProcessCheckpointResumesOnTwoRanks() throws { try resume(from: 1, on: 2) }

    @Test func ranksWithDifferentOptionsStopNamingTheDifference() throws {
        let directory = try MPILauncher.temporaryDirectory()
        let keel = MPILauncher.keel.path
        let result = try MPILauncher.launch(
            ["-np", "1", keel] + Self.arguments + ["--log", "a.jsonl"] + [":", "-np", "1", keel] + Self.arguments + ["--log", "b.jsonl"],
            in: directory, timeout: 60)
        #expect(!result.timedOut && result.status != 0)
        #expect(result.output.contains("rank 1: the options differ from rank 0's: --log is \"b.jsonl\" here but \"a.jsonl\" on rank 0"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("a.jsonl").path))
    }

    @Test func ranksWithDifferentBuildsStop() throws {
        let directory = try MPILauncher.temporaryDirectory()
        // The same program with one byte appended: it runs, but it is not the same file.
        let copy = directory.appendingPathComponent("keel-copy")
        var bytes = try Data(contentsOf: MPILauncher.keel)
        bytes.append(0)
        try bytes.write(to: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy.path)
        let result = try MPILauncher.launch(
            ["-np", "1", MPILauncher.keel.path] + Self.arguments + [":", "-np", "1", copy.path] + Self.arguments, in: directory, timeout: 60)
        #expect(!result.timedOut && result.status != 0)
        #expect(result.output.contains("rank 1: this rank runs a different keel build than rank 0"), "\(result.output)")
    }

    @Test func aBatchThatDoesNotSplitIsAClearError() throws {
        let result = try MPILauncher.launch(ranks: 3, MPILauncher.keel, Self.arguments, in: try MPILauncher.temporaryDirectory(), timeout: 60)
        #expect(!result.timedOut && result.status != 0)
        // Once, from rank 0 (each rank finds it; the others end quietly).
        #expect(result.output.components(separatedBy: "the global batch size 32 (--batch-size) is not divisible by 3 ranks").count == 2, "\(result.output)")
    }
}

/// Without MPI: the help shows the commands, and a launch that asks for ranks without an MPI
/// library fails with one line saying what to install.
@Suite struct MissingMPILibraryTests {
    @Test func theHelpShowsOneHostAndMultiHostCommands() throws {
        let result = try MPILauncher.run(MPILauncher.keel, ["train", "--help"], in: try MPILauncher.temporaryDirectory(), timeout: 60)
        let help = result.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(result.status == 0)
        #expect(help.contains("mpirun -np 4 keel train ARGS"))
        #expect(help.contains("mpirun -H host1:2,host2:2 --mca btl_tcp_if_include eth0 --mca oob_tcp_if_include eth0 keel train ARGS"))
        #expect(help.contains("--batch-size is the global batch"))
    }

    @Test func aMissingLibraryIsOneClearLine() throws {
        let result = try MPILauncher.run(
            MPILauncher.keel, DistributedTrainCommandTests.arguments, in: try MPILauncher.temporaryDirectory(),
            environment: ["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0", "KEEL_MPI_LIBRARY": "/nonexistent/libmpi.so"], timeout: 60)
        #expect(result.status != 0)
        #expect(result.output == "error: distributed training needs an MPI library: apt-get install openmpi-bin\n", "\(result.output)")
    }
}

/// The README's distributed example is the helper's `readme` scenario, line for line (which
/// `DataParallelTrainerTests` runs on two ranks), so the README shows code that compiles and runs.
@Suite struct ReadmeDistributedExampleTests {
    @Test func theReadmeExampleIsTheCodeTheTestsRun() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let helper = try String(contentsOf: root.appendingPathComponent("Tests/KeelDistributedHelper/main.swift"), encoding: .utf8)
        guard let start = readme.range(of: "let world = try Communicator.world()"),
              let end = readme.range(of: "try world.finalize()", range: start.upperBound..<readme.endIndex) else {
            Issue.record("README.md has no distributed example")
            return
        }
        let lines = readme[start.lowerBound..<end.upperBound].split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let helperLines = Set(helper.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(lines.count >= 10)
        for line in lines { #expect(helperLines.contains(line), "README line not in the helper: \(line)") }
    }
}
