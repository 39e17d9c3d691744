import Foundation

/// `keel-component`: the logic behind the `new-component` and `check-conformance` plugins.
///
///     keel-component new <kind> <Name> --module <Module> --sources <dir> [--tests <dir>]
///         [--source-products <a,b>] [--test-products <c>]
///     keel-component check --package-path <dir> [--scratch-path <dir>] [--filter <pattern>]
///     keel-component summarize <log>
public enum KeelComponentCommand {
    /// The usage text printed with argument errors.
    public static let usage = """
        usage: keel-component new <clipper|optimizer|cell|initializer|monitor|layer|transform> <Name> --module <Module> --sources <dir>
                   [--tests <dir>] [--source-products <a,b>] [--test-products <c>]
               keel-component check --package-path <dir> [--scratch-path <dir>] [--filter <pattern>]
               keel-component summarize <log file>
        """

    /// What a command printed, and whether it succeeded.
    public struct Output: Sendable {
        /// Everything the command printed.
        public var text: String
        /// Whether the command succeeded (for `check`: the tests passed and no law failed); the
        /// executable's exit status.
        public var succeeded: Bool
    }

    /// Runs a command line (without the program name).
    public static func run(_ arguments: [String]) throws -> Output {
        let arguments = Arguments(arguments)
        switch arguments.positional.first {
        case "new":
            guard arguments.positional.count == 3 else { throw ToolError("new needs a kind and a name\n" + usage) }
            guard let kind = ComponentKind(argument: arguments.positional[1]) else {
                throw ToolError(
                    "unknown kind '\(arguments.positional[1])'; choose one of \(ComponentKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let module = arguments.option("module"), let sources = arguments.option("sources") else {
                throw ToolError("new needs --module and --sources\n" + usage)
            }
            let generator = try ComponentGenerator(kind: kind, name: arguments.positional[2], module: module)
            let tests = arguments.option("tests").flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            let written = try generator.write(sourcesDirectory: URL(fileURLWithPath: sources), testsDirectory: tests)
            var text = "Created\n" + written.map { "  \($0.path)" }.joined(separator: "\n")
            if tests == nil { text += "\nNo test target found: add one and copy the conformance test from Templates/." }
            // The plugin passes the products the manifest already lists, so only what is missing is advised.
            func products(_ name: String) -> Set<String>? {
                arguments.option(name).map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }) }
            }
            text += "\n" + generator.dependencyAdvice(sourceProducts: products("source-products"), testProducts: products("test-products"))
            return Output(text: text, succeeded: true)
        case "check":
            guard let package = arguments.option("package-path") else { throw ToolError("check needs --package-path\n" + usage) }
            return try check(package: package, scratch: arguments.option("scratch-path"), filter: arguments.option("filter") ?? "Conformance")
        case "summarize":
            guard arguments.positional.count == 2 else { throw ToolError("summarize needs a log file\n" + usage) }
            let summary = ConformanceSummary(log: try String(contentsOfFile: arguments.positional[1], encoding: .utf8))
            return Output(text: summary.report, succeeded: summary.failures.isEmpty)
        default:
            throw ToolError(usage)
        }
    }

    /// Runs `swift test --filter <filter>` with the conformance log enabled, then summarizes it.
    static func check(package: String, scratch: String?, filter: String) throws -> Output {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("keel-conformance-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["swift", "test", "--package-path", package, "--filter", filter]
        if let scratch { arguments += ["--scratch-path", scratch] }
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KEEL_CONFORMANCE_LOG"] = log.path
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let testOutput = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let summary = ConformanceSummary(log: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        // The per-law summary first, then the raw test log.
        var text = summary.report + "\n\nRaw test log (swift test --filter \(filter)):\n" + testOutput
        if process.terminationStatus != 0 { text += "\nswift test exited with status \(process.terminationStatus)" }
        return Output(text: text, succeeded: process.terminationStatus == 0 && summary.failures.isEmpty)
    }
}

/// Positional arguments and `--name value` options.
public struct Arguments {
    /// The arguments that are not options, in order (the subcommand first).
    public var positional: [String] = []
    /// The value of each `--name value` option, keyed by the name without dashes; a repeated
    /// option keeps its last value.
    public var options: [String: String] = [:]

    /// Splits `arguments` (without the program name); a trailing `--name` with no value counts as
    /// positional.
    public init(_ arguments: [String]) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--"), index + 1 < arguments.count {
                options[String(argument.dropFirst(2))] = arguments[index + 1]
                index += 2
            } else {
                positional.append(argument)
                index += 1
            }
        }
    }

    /// The value given for `--name`, or `nil` if absent.
    public func option(_ name: String) -> String? { options[name] }
}
