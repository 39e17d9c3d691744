import ArgumentParser
import KeelCommands

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate text from a character-level checkpoint written by keel train --text.",
        discussion: "The checkpoint directory must hold weights.safetensors, model.json and vocabulary.json.")

    @Argument(help: "The checkpoint directory.")
    var checkpoint: String

    @Option(parsing: .unconditional, help: "Characters to generate.")
    var length: Int = 200

    @Option(parsing: .unconditional, help: "Sampling temperature (> 0; lower is more conservative).")
    var temperature: Double = 0.8

    @Option(parsing: .unconditional, help: "Seed for sampling.")
    var seed: UInt64 = 0

    @Option(help: "Text to start from (every character must be in the vocabulary).")
    var prime: String = ""

    func run() throws {
        try runReportingErrors {
            let text = try TextSampler(checkpoint: checkpoint, length: length, temperature: temperature, seed: seed, prime: prime).generate()
            print(text)
        }
    }
}
