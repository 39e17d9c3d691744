// keel-bench: Keel's benchmark executable.
//
//   swift run -c release keel-bench <subcommand> [options]
//
// Each benchmark lives in its own file and describes itself with a `Subcommand` value; to add one,
// write `enum FooBenchmark { static let command = Subcommand(...) }` in a new file and append
// `FooBenchmark.command` to the list below.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let subcommands: [Subcommand] = [
    GEMMBenchmark.command,
    ActivationBenchmark.command,
    DenormalBenchmark.command,
    RecurrentBenchmark.command,
    PipelineBenchmark.command,
    StepBenchmark.command,
    DistributedBenchmark.command,
]

func printHelp() {
    var text = """
        usage: keel-bench <subcommand> [options]
               keel-bench <subcommand> --help

        subcommands:

        """
    let width = subcommands.map(\.name.count).max() ?? 0
    for command in subcommands {
        text += "  " + command.name.padding(toLength: width + 2) + command.summary + "\n"
    }
    text += "\nBuild with -c release: a debug build measures unoptimized kernels.\n"
    print(text, terminator: "")
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let first = arguments.first else {
    printHelp()
    exit(2)
}
if first == "--help" || first == "-h" || first == "help" {
    printHelp()
    exit(0)
}
guard let command = subcommands.first(where: { $0.name == first }) else {
    printError("keel-bench: unknown subcommand '\(first)' (known: \(subcommands.map(\.name).joined(separator: ", ")))")
    exit(2)
}
let rest = Array(arguments.dropFirst())
if rest.contains("--help") || rest.contains("-h") {
    print(command.usage)
    exit(0)
}
do {
    try command.run(rest)
} catch let error as UsageError {
    printError("keel-bench \(command.name): \(error.message)")
    printError(command.usage)
    exit(2)
} catch {
    printError("keel-bench \(command.name): \(error)")
    exit(1)
}
