import Foundation
import Testing

/// Finds `mpirun` and the executables under test, and runs them with a time limit.
///
/// The distributed tests need Open MPI (`apt-get install openmpi-bin`); without it they are
/// skipped, and Swift Testing prints ``unavailableReason``.
enum MPILauncher {
    struct Result {
        var status: Int32
        var output: String
        var timedOut: Bool
        var seconds: Double
    }

    /// `mpirun` on the PATH, if any.
    static let mpirun: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Whether the distributed tests can run here.
    static var isAvailable: Bool { mpirun != nil }

    /// Why they cannot, for the skip message.
    static let unavailableReason: Comment =
        "distributed tests did not run: no mpirun on the PATH (install Open MPI: apt-get install openmpi-bin)"

    /// A built executable of this package: beside the test bundle (`.build/<configuration>/`),
    /// or in the debug build directory.
    static func executable(_ name: String) -> URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [besideTests.appendingPathComponent(name), besideTests.deletingLastPathComponent().appendingPathComponent(name)]
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/\(name)"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    static var keel: URL { executable("keel") }
    static var helper: URL { executable("KeelDistributedHelper") }

    /// `mpirun -np ranks executable arguments…` on loopback, as root if need be, on a machine
    /// with fewer cores than ranks.
    static func launch(ranks: Int, _ executable: URL, _ arguments: [String], in directory: URL, timeout: Double = 120) throws -> Result {
        try run(mpirun!, ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks), executable.path] + arguments, in: directory, timeout: timeout)
    }

    /// `mpirun` with `arguments` after the loopback options (for multiple-program launches:
    /// `-np 1 a … : -np 1 b …`).
    static func launch(_ arguments: [String], in directory: URL, timeout: Double = 120) throws -> Result {
        try run(mpirun!, ["--allow-run-as-root", "--oversubscribe"] + arguments, in: directory, timeout: timeout)
    }

    /// Runs `executable arguments…` in `directory`; kills it after `timeout` seconds.
    static func run(
        _ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String] = [:], timeout: Double = 120
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment
        // The kernels' threads would fight the ranks for the cores.
        merged["KEEL_NUM_THREADS"] = "1"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let outputURL = directory.appendingPathComponent("output-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: outputURL)
        process.standardOutput = handle
        process.standardError = handle
        let started = Date()
        try process.run()
        var timedOut = false
        while process.isRunning {
            if Date().timeIntervalSince(started) > timeout {
                timedOut = true
                process.terminate()
                Thread.sleep(forTimeInterval: 2)
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.waitUntilExit()
        try handle.close()
        let output = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, output: output, timedOut: timedOut, seconds: Date().timeIntervalSince(started))
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("keel-distributed-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// What one rank of `KeelDistributedHelper train` wrote.
struct RankRecord: Codable {
    var rank: Int
    var size: Int
    var losses: [Double]
    var applied: [Bool]
    var actions: [String]
    var parameters: [Float]

    static func read(_ prefix: String, rank: Int, in directory: URL) throws -> RankRecord {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(RankRecord.self, from: Data(contentsOf: directory.appendingPathComponent("\(prefix).rank\(rank).json")))
    }
}

/// The per-step losses of a `keel train --log` file.
func loggedLosses(_ url: URL) throws -> [Double] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap { line in
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              object["type"] as? String == "stepCompleted" else { return nil }
        return object["loss"] as? Double
    }
}

/// The largest |a − b| / |a| over two equally long sequences (∞ when the lengths differ).
func largestRelativeDifference(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) / max(abs($0), .leastNormalMagnitude) }.max() ?? 0
}
