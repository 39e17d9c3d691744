import ArgumentParser
import KeelCommands

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show exploding gradients and their cures on the adding problem (no arguments needed).",
        discussion: """
            Trains three models on the adding problem (T = 100 by default): a vanilla tanh RNN whose recurrent \
            matrix has spectral radius 1.5 with plain SGD and no clipping; the same with global-norm clipping; \
            and an LSTM with orthogonal recurrent weights, Adam and clipping. Prints progress, a comparison table \
            and an explanation, writes an HTML report and one JSON Lines log per run next to it \
            (keel-demo-<run>.jsonl).
            """)

    @Option(parsing: .unconditional, help: "Optimizer steps per run (default 2000; 20 with --quick).")
    var steps: Int?

    @Option(parsing: .unconditional, help: "Seed for the models and the data.")
    var seed: UInt64 = 3

    @Option(help: "The HTML report to write; the JSON Lines logs go to the same directory.")
    var output: String = "keel-demo-report.html"

    @Option(parsing: .unconditional, help: "Length T of the adding-problem sequences.")
    var sequenceLength: Int?

    @Flag(help: "A tiny budget (T = 50, batch 16, 20 steps unless --steps) for tests and smoke checks.")
    var quick = false

    func run() throws {
        let settings = DemoRunner.Settings(
            steps: steps ?? (quick ? 20 : 2000), seed: seed, sequenceLength: sequenceLength ?? (quick ? 50 : 100),
            hiddenSize: 32, batchSize: quick ? 16 : 32, output: output)
        try runReportingErrors { try DemoRunner(settings: settings).run() }
    }
}
