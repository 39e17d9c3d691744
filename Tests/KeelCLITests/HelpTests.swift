import Foundation
import Testing

/// `--help` of every subcommand mentions each of its options.
@Suite struct HelpTests {
    static let options: [String: [String]] = [
        "demo": ["--steps", "--seed", "--output", "--sequence-length", "--quick"],
        "train": [
            "--config", "--task", "--text", "--csv", "--columns", "--target", "--npy-inputs", "--npy-targets", "--sequence-length", "--validation-fraction", "--validation-streams",
            "--cell", "--layers", "--hidden", "--bidirectional", "--dropout", "--head-dropout", "--embedding-dimension", "--init-recurrent",
            "--spectral-radius", "--init-weights", "--init-std", "--vanishing-gradient-regularizer", "--optimizer", "--learning-rate", "--schedule", "--clip", "--clip-threshold", "--tbptt",
            "--monitors", "--on-explosion", "--monitor-every", "--validate-every", "--test-sequences", "--stop-at-error", "--epochs", "--steps", "--batch-size", "--seed",
            "--checkpoint-dir", "--checkpoint-every", "--best-checkpoint-dir", "--resume", "--log",
        ],
        "report": ["--output", "--title", "<logs>"],
        "sample": ["--length", "--temperature", "--seed", "--prime", "<checkpoint>"],
        "evaluate": ["--text", "--validation-fraction", "--validation-streams", "--sequence-length", "--batch-size", "--json", "<checkpoint>"],
        "bench": ["keel-bench"],
    ]

    @Test(arguments: ["demo", "train", "report", "sample", "evaluate", "bench"])
    func subcommandHelpIsComplete(_ subcommand: String) throws {
        let result = try KeelExecutable.run([subcommand, "--help"])
        #expect(result.status == 0, "\(result.output)")
        for option in Self.options[subcommand] ?? [] {
            #expect(result.output.contains(option), "keel \(subcommand) --help lacks \(option)")
        }
    }

    @Test func topLevelHelpListsEverySubcommand() throws {
        let result = try KeelExecutable.run(["--help"])
        #expect(result.status == 0)
        for subcommand in ["demo", "train", "report", "sample", "evaluate", "bench"] { #expect(result.output.contains(subcommand)) }
    }
}
