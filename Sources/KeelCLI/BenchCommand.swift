import ArgumentParser
import Foundation
import KeelCommands

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the benchmarks (the keel-bench executable built next to keel).",
        discussion: """
            Build it first: swift build -c release --product keel-bench (or run it directly: \
            swift run -c release keel-bench …). Every argument after `bench` goes to keel-bench; \
            `keel bench -- --help` lists them.
            """)

    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to keel-bench.")
    var arguments: [String] = []

    func run() throws {
        try runReportingErrors {
            let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
            let bench = executable.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("keel-bench")
            guard FileManager.default.isExecutableFile(atPath: bench.path) else {
                throw CommandError("""
                    \(bench.path) is not built. Build it with `swift build -c release --product keel-bench` \
                    (next to this keel), or run `swift run -c release keel-bench`.
                    """)
            }
            let process = Process()
            process.executableURL = bench
            process.arguments = arguments.first == "--" ? Array(arguments.dropFirst()) : arguments
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
        }
    }
}
