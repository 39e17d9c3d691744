import Foundation
import KeelCore
import KeelData
import KeelTrainer

/// `keel evaluate`: the cross-entropy of a character-level checkpoint on the held-out end of a text
/// file, measured two ways.
///
/// - **Stateful** (the number char-rnn reports): the held-out characters are cut into `batchSize`
///   contiguous streams, read window by window with the hidden state carried from one window to the
///   next, so every character after the first sees all of its stream before it.
/// - **Windowed** (what `keel train` reports as its validation loss): every window of
///   `sequenceLength` characters starts from the zero state, so its first characters are predicted
///   with little or no context.
///
/// Both are the mean over the same predicted characters, in nats per character.
public struct TextEvaluator {
    /// The checkpoint directory (`keel train --text … --checkpoint-dir`).
    public var checkpoint: String
    /// The text file; its last `validationFraction` is evaluated.
    public var text: String
    /// The held-out share at the end of the file, in (0, 1); use the training run's value.
    public var validationFraction: Double
    /// 1: the end of the file is held out; S > 1: the end of each of S rows (char-rnn's split, see
    /// ``CharacterTextDataset``); use the training run's value.
    public var validationStreams: Int
    /// Characters per window; `nil`: the `--sequence-length` the checkpoint was trained with (64
    /// when it recorded none, keel train's default), so that "windowed" matches its validation.
    public var sequenceLength: Int?
    /// Parallel streams (rows of a batch).
    public var batchSize: Int

    /// An evaluator; see the type's description for the two measurements.
    public init(
        checkpoint: String, text: String, validationFraction: Double = 0.1, validationStreams: Int = 1, sequenceLength: Int? = nil,
        batchSize: Int = 32
    ) {
        self.checkpoint = checkpoint
        self.text = text
        self.validationFraction = validationFraction
        self.validationStreams = validationStreams
        self.sequenceLength = sequenceLength
        self.batchSize = batchSize
    }

    /// The two cross-entropies and how many characters they average over.
    public struct Result: Sendable, Equatable, Codable {
        /// Nats per character with the state carried across windows.
        public var stateful: Double
        /// Nats per character with every window starting from the zero state.
        public var windowed: Double
        /// Predicted characters.
        public var characters: Int
    }

    /// Runs both evaluations; bad paths, options or characters outside the vocabulary throw a
    /// ``CommandError`` that says what and where.
    public func evaluate() throws -> Result {
        guard validationFraction > 0, validationFraction < 1 else {
            throw CommandError("--validation-fraction must be in (0, 1) (got \(validationFraction))")
        }
        guard validationStreams >= 1 else { throw CommandError("--validation-streams must be ≥ 1 (got \(validationStreams))") }
        if let sequenceLength, sequenceLength < 1 { throw CommandError("--sequence-length must be ≥ 1 (got \(sequenceLength))") }
        guard batchSize >= 1 else { throw CommandError("--batch-size must be ≥ 1 (got \(batchSize))") }
        let checkpoint = try CharacterCheckpoint(directory: self.checkpoint, command: "keel evaluate")
        let sequenceLength = self.sequenceLength ?? checkpoint.model.sequenceLength ?? 64
        if let problem = InputFile.problem(text) { throw CommandError("\(text): \(problem)") }
        let dataset: CharacterTextDataset
        do {
            dataset = try CharacterTextDataset(
                contentsOf: URL(fileURLWithPath: text), validationFraction: validationFraction, validationStreams: validationStreams,
                vocabulary: checkpoint.vocabulary)
        } catch let error as TextDatasetError {
            throw error  // it names the file and the offset
        } catch {
            throw CommandError("\(text): \(error)")
        }
        let held = Array(dataset.symbols(of: .validation))
        let streamLength = (held.count - 1) / batchSize
        guard streamLength >= 1 else {
            throw CommandError("\(text): the held-out part has \(held.count) characters, too few for \(batchSize) streams; lower --batch-size")
        }
        return try checkpoint.model.specification.build(EvaluationBody(
            weights: checkpoint.weights, weightsPath: checkpoint.weightsPath, symbols: held, streams: batchSize,
            streamLength: streamLength, window: min(sequenceLength, streamLength)))
    }

    struct EvaluationBody: RecurrentNetworkBody {
        typealias Scalar = Float
        let weights: SafeTensorsFile
        let weightsPath: String
        let symbols: [Int32]
        let streams: Int
        let streamLength: Int
        let window: Int

        func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> Result where L.Scalar == Float, L.State: Sendable {
            var model = model
            try CharacterCheckpoint.loadWeights(into: &model, from: weights, path: weightsPath)
            var context = ForwardContext(mode: .inference)
            var state: RecurrentNetwork<L>.SequenceState? = nil
            var statefulTotal = 0.0, windowedTotal = 0.0, count = 0
            var start = 0
            while start < streamLength {
                let steps = min(window, streamLength - start)
                // Stream b reads symbols[b·streamLength + start ..< … + steps] and predicts the next ones.
                var inputs = [Float](repeating: 0, count: steps * streams)
                var targets = [Int](repeating: 0, count: steps * streams)
                for t in 0..<steps {
                    for b in 0..<streams {
                        let position = b * streamLength + start + t
                        inputs[t * streams + b] = Float(symbols[position])
                        targets[t * streams + b] = Int(symbols[position + 1])
                    }
                }
                let input = Tensor<Float>(shape: [steps, streams], scalars: inputs)
                let carried = model.forward(input, initialState: state, context: &context)
                state = carried.finalState
                statefulTotal += Self.crossEntropySum(carried.output, targets)
                windowedTotal += Self.crossEntropySum(model.forward(input, initialState: nil, context: &context).output, targets)
                count += steps * streams
                start += steps
            }
            return Result(stateful: statefulTotal / Double(count), windowed: windowedTotal / Double(count), characters: count)
        }

        /// Σ over rows of −log softmax(logits)[target]; logits `[steps, streams, vocabulary]`.
        static func crossEntropySum(_ logits: Tensor<Float>, _ targets: [Int]) -> Double {
            SoftmaxCrossEntropy<Float>().summedLoss(predictions: logits, targets: targets)
        }
    }
}
