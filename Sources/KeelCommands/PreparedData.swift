import Foundation
import KeelCore
import KeelData
import KeelTrainer

/// The training data of a run, its validation data and what the model needs to fit them.
public struct PreparedData: Sendable {
    /// Which loss the model trains with, chosen by the kind of target: `meanSquaredError` for
    /// real-valued targets, `crossEntropy` (softmax) for class indices.
    public enum LossKind: String, Sendable, Codable { case meanSquaredError, crossEntropy }

    /// The training batches.
    public var source: AnyBatchSource<Float>
    /// Held-out batches (the last 10% of a text or CSV file, or freshly seeded task batches), if any.
    public var validation: AnyBatchSource<Float>?
    /// The number of input features per step (the vocabulary size for text).
    public var inputSize: Int
    /// The width of the model's output head: targets, classes or vocabulary size.
    public var outputSize: Int
    /// The loss the model trains with.
    public var loss: LossKind
    /// Whether the output head reads every step (`[T, batch, outputSize]`) rather than only the last.
    public var headOnEveryStep: Bool
    /// The characters of a text dataset, for sampling; `nil` otherwise.
    public var vocabulary: CharacterVocabulary?
    /// The per-column statistics a CSV series was normalized with (measured on the training rows);
    /// `nil` otherwise.
    public var normalization: NormalizationStatistics?
    /// The loss of the best constant prediction, when known.
    public var baselineLoss: Double?
    /// One line for the console: "adding problem (T = 50)".
    public var summary: String
    /// Freshly generated test sequences of a synthetic task (`--test-sequences`), if requested.
    public var test: TestSequences? = nil

    /// `--test-sequences`: fresh sequences of a synthetic task, drawn from their own seed stream
    /// (neither the training stream nor the validation set's), and the criterion that judges each
    /// one right or wrong.
    public struct TestSequences: Sendable {
        /// The sequences, in equal batches (``count`` in all).
        public var source: AnyBatchSource<Float>
        /// The number of sequences.
        public var count: Int
        /// The task's published criterion for a wrong sequence.
        public var criterion: SequenceErrorCriterion
    }

    /// The seed offsets of a task's held-out streams from the run's seed.
    static let validationSeedOffset: UInt64 = 1_000_003
    static let testSeedOffset: UInt64 = 2_000_003

    /// Loads or generates the data the options name (the adding problem by default).
    ///
    /// - Throws: the loaders' errors (``TextDatasetError``, ``CSVTimeSeriesError``,
    ///   ``NPYError``: they name the file and the line or offset) and ``CommandError``.
    public static func load(_ options: TrainOptions) throws -> PreparedData {
        let batchSize = options.batchSize ?? 32
        let seed = options.seed ?? 0
        for path in [options.text, options.csv, options.npyInputs, options.npyTargets].compactMap({ $0 }) {
            if let problem = InputFile.problem(path) { throw CommandError("\(path): \(problem)") }
        }
        if let path = options.text {
            let length = options.sequenceLength ?? 64
            let dataset = try CharacterTextDataset(
                contentsOf: URL(fileURLWithPath: path), validationFraction: options.validationFraction ?? 0.1,
                validationStreams: options.validationStreams ?? 1)
            if let nul = dataset.vocabulary.index(of: "\0"), let offset = dataset.symbols.firstIndex(of: Int32(nul)) {
                throw CommandError("\(path): character offset \(offset): a NUL character; this looks like a binary file, not text")
            }
            guard dataset.vocabulary.count >= 2 else {
                throw CommandError("\(path): the text has \(dataset.vocabulary.count) distinct character; a language model needs at least 2")
            }
            let training = try dataset.batches(.training, sequenceLength: length, batchSize: batchSize, shuffleSeed: seed, as: Float.self)
            let validation = try? dataset.batches(.validation, sequenceLength: length, batchSize: batchSize, as: Float.self)
            return PreparedData(
                source: AnyBatchSource(training), validation: validation.map { AnyBatchSource($0) }, inputSize: dataset.vocabulary.count,
                outputSize: dataset.vocabulary.count, loss: .crossEntropy, headOnEveryStep: true, vocabulary: dataset.vocabulary,
                normalization: nil, baselineLoss: Foundation.log(Double(dataset.vocabulary.count)),
                summary: "character language model on \(path) (\(dataset.symbols.count) characters, vocabulary \(dataset.vocabulary.count), sequences of \(length))")
        }
        if let path = options.csv {
            let targets = options.target ?? []
            let window = options.sequenceLength ?? 32
            var selection: [String]? = nil
            if let columns = options.columns {
                let chosen = Set(columns)
                selection = columns + targets.filter { !chosen.contains($0) }
            }
            let raw = try CSVTimeSeries(contentsOf: URL(fileURLWithPath: path), columns: selection)
            let present = Set(raw.columns)
            for name in (options.columns ?? []) + targets where !present.contains(name) {
                throw CommandError("\(path): no column '\(name)' (columns: \(CSVTimeSeriesError.list(raw.columns)))")
            }
            let trainingRows = max(Int(Double(raw.rowCount) * 0.9), min(raw.rowCount, window + 1))
            guard trainingRows > window else {
                throw CommandError("\(path): \(raw.rowCount) rows are too few for windows of \(window) rows (--sequence-length)")
            }
            let statistics = raw.normalizationStatistics(rows: 0..<trainingRows)
            let series = try raw.normalized(using: statistics)
            let inputs = options.columns ?? series.columns
            let training = try series.windows(
                inputColumns: inputs, targetColumns: targets, window: window, batchSize: batchSize, rows: 0..<trainingRows,
                shuffleSeed: seed, as: Float.self)
            let validation = raw.rowCount - trainingRows > window
                ? try? series.windows(inputColumns: inputs, targetColumns: targets, window: window, batchSize: batchSize, rows: trainingRows..<raw.rowCount, as: Float.self)
                : nil
            return PreparedData(
                source: AnyBatchSource(training), validation: validation.map { AnyBatchSource($0) }, inputSize: inputs.count,
                outputSize: targets.count, loss: .meanSquaredError, headOnEveryStep: false, vocabulary: nil, normalization: statistics,
                baselineLoss: 1, summary: "CSV time series \(path): \(raw.rowCount) rows, inputs \(CSVTimeSeriesError.list(inputs)) → \(CSVTimeSeriesError.list(targets)), windows of \(window)")
        }
        if let inputsPath = options.npyInputs, let targetsPath = options.npyTargets {
            let inputs = try NPYArray(contentsOf: URL(fileURLWithPath: inputsPath))
            let targets = try NPYArray(contentsOf: URL(fileURLWithPath: targetsPath))
            for (array, path) in [(inputs, inputsPath), (targets, targetsPath)] {
                if let index = array.firstNonFiniteIndex {
                    throw CommandError(
                        "\(path): element \(array.multiIndex(ofFlatIndex: index)) is \(array.value(atFlatIndex: index)); training needs finite values (as CSV input)")
                }
            }
            guard inputs.shape.count == 3 else {
                throw CommandError("\(inputsPath): inputs must have shape [examples, time, features] (got \(inputs.shape))")
            }
            var targetTensor = targets.tensor(of: Float.self)
            if targetTensor.rank == 1 { targetTensor = targetTensor.reshaped(to: [targetTensor.shape[0], 1]) }
            guard targetTensor.rank == 2 else {
                throw CommandError("\(targetsPath): targets must have shape [examples] or [examples, outputs] (got \(targets.shape))")
            }
            guard targetTensor.shape[0] == inputs.shape[0] else {
                throw CommandError("\(targetsPath): \(targetTensor.shape[0]) targets for \(inputs.shape[0]) input examples (\(inputsPath))")
            }
            let source = try TensorBatchSource(
                inputs: inputs.tensor(of: Float.self), targets: targetTensor, batchSize: batchSize, shuffleSeed: seed, timeMajor: true)
            return PreparedData(
                source: AnyBatchSource(source), validation: nil, inputSize: inputs.shape[2], outputSize: targetTensor.shape[1],
                loss: .meanSquaredError, headOnEveryStep: false, vocabulary: nil, normalization: nil, baselineLoss: nil,
                summary: "NumPy arrays \(inputsPath) \(inputs.shape) → \(targetsPath) \(targets.shape)")
        }
        return try task(options.task ?? .adding, options: options)
    }

    static func task(_ name: TaskChoice, options: TrainOptions) throws -> PreparedData {
        let batchSize = options.batchSize ?? 32
        let seed = options.seed ?? 0
        let length = options.sequenceLength
        func make(seed: UInt64, batchSize: Int, batches: Int) throws -> any SyntheticTask<Float> {
            switch name {
            case .adding: try AddingProblem<Float>(sequenceLength: length ?? 50, batchSize: batchSize, batchesPerEpoch: batches, seed: seed)
            case .addingPascanu: try AddingProblem<Float>(variant: .pascanu2013, sequenceLength: length ?? 50, batchSize: batchSize, batchesPerEpoch: batches, seed: seed)
            case .multiplication: try MultiplicationProblem<Float>(sequenceLength: length ?? 100, batchSize: batchSize, batchesPerEpoch: batches, seed: seed)
            case .temporalOrder: try TemporalOrderProblem<Float>(sequenceLength: length ?? 50, batchSize: batchSize, batchesPerEpoch: batches, seed: seed)
            case .temporalOrder3Bit: try TemporalOrderProblem<Float>(variant: .threeBits, sequenceLength: length ?? 50, batchSize: batchSize, batchesPerEpoch: batches, seed: seed)
            case .copy: try CopyTask<Float>(delay: length ?? 20, batchSize: batchSize, batchesPerEpoch: batches, seed: seed)
            case .permutation: try RandomPermutationProblem<Float>(sequenceLength: length ?? 50, batchSize: batchSize, batchesPerEpoch: batches, seed: seed)
            case .memorization: try NoiselessMemorizationProblem<Float>(delay: length ?? 20, batchSize: batchSize, batchesPerEpoch: batches, seed: seed)
            }
        }
        let training = try make(seed: seed, batchSize: batchSize, batches: 100)
        let validation = try make(seed: seed &+ validationSeedOffset, batchSize: 100, batches: 2)
        var test: TestSequences? = nil
        if let count = options.testSequences, count > 0 {
            // Equal batches of at most 100 that add up to exactly `count` sequences.
            let testBatch = (1...min(count, 100)).last { count % $0 == 0 } ?? 1
            let task = try make(seed: seed &+ testSeedOffset, batchSize: testBatch, batches: count / testBatch)
            test = TestSequences(source: AnyBatchSource(task), count: count, criterion: task.errorCriterion)
        }
        var output = 1, loss = LossKind.meanSquaredError, everyStep = false
        switch training.target {
        case .regression: break
        case .classification(let classes): (output, loss) = (classes, .crossEntropy)
        case .sequenceClassification(let classes): (output, loss, everyStep) = (classes, .crossEntropy, true)
        }
        return PreparedData(
            source: AnyBatchSource(training), validation: AnyBatchSource(validation), inputSize: training.inputFeatures,
            outputSize: output, loss: loss, headOnEveryStep: everyStep, vocabulary: nil, normalization: nil,
            baselineLoss: training.baselineLoss, summary: "\(name.rawValue) task\(length.map { " (length \($0))" } ?? "")", test: test)
    }
}
