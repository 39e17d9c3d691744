import Foundation
import Testing

/// Every bad file or option: a message naming the file and the place, and a non-zero exit.
@Suite struct BadInputTests {
    func expectFailure(_ arguments: [String], mentions fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try KeelExecutable.run(arguments)
        #expect(result.status != 0, "exit status 0 for \(arguments)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.standardError.contains(fragment), "stderr lacks '\(fragment)': \(result.standardError)", sourceLocation: sourceLocation)
        }
    }

    @Test func invalidUTF8Text() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.txt")
        try (Data("good text ".utf8) + Data([0xff, 0xfe]) + Data(" more".utf8)).write(to: file)
        try expectFailure(["train", "--text", file.path, "--steps", "1"], mentions: ["bad.txt", "byte offset 10", "invalid UTF-8"])
    }

    @Test func raggedCSV() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("ragged.csv")
        try "a,b\n1,2\n3,4\n5\n".write(to: file, atomically: true, encoding: .utf8)
        try expectFailure(["train", "--csv", file.path, "--target", "b", "--steps", "1"], mentions: ["ragged.csv", "line 4", "1 cells, but the header has 2"])
    }

    @Test func nonNumericCSVCell() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("words.csv")
        try "a,b\n1,2\n3,four\n".write(to: file, atomically: true, encoding: .utf8)
        try expectFailure(["train", "--csv", file.path, "--target", "b", "--steps", "1"], mentions: ["words.csv", "line 3", "column 'b'", "'four' is not a finite number"])
    }

    @Test func truncatedNPY() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputs = directory.appendingPathComponent("short.npy"), targets = directory.appendingPathComponent("y.npy")
        let full = NPYFixture.float32(shape: [4, 3, 2], values: Array(repeating: 1, count: 24))
        try full.prefix(full.count - 10).write(to: inputs)
        try NPYFixture.float32(shape: [4], values: [1, 2, 3, 4]).write(to: targets)
        try expectFailure(["train", "--npy-inputs", inputs.path, "--npy-targets", targets.path], mentions: ["short.npy", "byte offset", "truncated"])
    }

    @Test func unsupportedNPYDType() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputs = directory.appendingPathComponent("ints.npy"), targets = directory.appendingPathComponent("y.npy")
        try NPYFixture.file(descr: "<i4", shape: [2, 2, 1], payload: Data(count: 16)).write(to: inputs)
        try NPYFixture.float32(shape: [2], values: [1, 2]).write(to: targets)
        try expectFailure(["train", "--npy-inputs", inputs.path, "--npy-targets", targets.path], mentions: ["ints.npy", "unsupported dtype '<i4'"])
    }

    @Test func configWithSeveralProblemsListsThemAll() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config.json")
        try #"{"hidden": -4, "optimizer": "adm", "clip": "none", "clip-threshold": 2, "hiden": 3, "layers": "two"}"#
            .write(to: file, atomically: true, encoding: .utf8)
        try expectFailure(
            ["train", "--config", file.path],
            mentions: [
                "config.json: 5 problems", "hidden must be > 0 (got -4)", "unknown optimizer 'adm' (did you mean 'adam'?)",
                "clip-threshold given but clip is none", "unknown key 'hiden' (did you mean 'hidden'?)", "layers must be a number",
            ])
    }

    @Test func configThatIsNotJSON() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("broken.json")
        try "{\"hidden\": 4,".write(to: file, atomically: true, encoding: .utf8)
        try expectFailure(["train", "--config", file.path], mentions: ["broken.json", "not valid JSON"])
    }

    @Test func commandLineProblemsAreListedTogether() throws {
        try expectFailure(
            ["train", "--cell", "lstn", "--dropout", "1.5", "--tbptt", "4,8"],
            mentions: ["command line: 3 problems", "unknown cell 'lstn' (did you mean 'lstm'?)", "dropout must be in [0, 1)", "1 ≤ K2 ≤ K1"])
    }

    @Test func autoClipPercentileAboveOneHundredIsAConfigurationError() throws {
        try expectFailure(
            ["train", "--clip", "autoclip", "--clip-threshold", "150"],
            mentions: ["AutoClip's percentile and must be in (0, 100] (got 150.0)"])
    }

    @Test func badJSONLinesLogNamesTheFileAndLine() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("run.jsonl")
        let good = #"{"type":"trainingFinished","step":0,"reason":"completed"}"#
        try "\(good)\n\n{\"type\": \"stepCompleted\", \"step\": oops}\n".write(to: log, atomically: true, encoding: .utf8)
        try expectFailure(["report", log.path, "--output", directory.appendingPathComponent("r.html").path], mentions: ["run.jsonl:3:"])
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("r.html").path))
    }

    @Test func resumeFromSomethingThatIsNotACheckpoint() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try expectFailure(["train", "--resume", directory.path], mentions: ["not a checkpoint directory"])
    }
}
