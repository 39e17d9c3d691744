import ArgumentParser
import Foundation
import KeelCommands

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Cross-entropy of a character-level checkpoint on the held-out end of a text file.",
        discussion: """
            Prints two numbers over the same characters: stateful (the held-out text read as \
            --batch-size contiguous streams with the hidden state carried across windows, as \
            char-rnn evaluates) and windowed (every --sequence-length window from the zero state, as \
            keel train's validation loss; the window defaults to the training run's). Use the training run's --validation-fraction.
            """)

    @Argument(help: "The checkpoint directory (keel train --text … --checkpoint-dir).")
    var checkpoint: String

    @Option(help: "The text file the model was trained on.")
    var text: String

    @Option(parsing: .unconditional, help: "Share of the file held out at its end, in (0, 1) (as in training; default 0.1).")
    var validationFraction: Double = 0.1

    @Option(parsing: .unconditional, help: "1: the end of the file is held out; S > 1: the end of each of S equal rows, char-rnn's split (as in training; default 1).")
    var validationStreams: Int = 1

    @Option(parsing: .unconditional, help: "Characters per window (default: the checkpoint's training --sequence-length, as its validation).")
    var sequenceLength: Int?

    @Option(parsing: .unconditional, help: "Parallel streams (default 32).")
    var batchSize: Int = 32

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try runReportingErrors {
            let result = try TextEvaluator(
                checkpoint: checkpoint, text: text, validationFraction: validationFraction, validationStreams: validationStreams,
                sequenceLength: sequenceLength, batchSize: batchSize
            ).evaluate()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                print(String(
                    format: "stateful %.4f nats/char (%.4f bits), windowed %.4f nats/char (%.4f bits), %d characters",
                    result.stateful, result.stateful / log(2), result.windowed, result.windowed / log(2), result.characters))
            }
        }
    }
}
