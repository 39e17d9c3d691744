import Foundation

/// The options of `keel train`, every one optional: they come from the command line, a JSON
/// configuration file (`--config`, keys spelled as the flags: `"learning-rate": 0.01`), or both
/// (the command line wins). ``resolve(source:)`` checks them all and lists every problem.
public struct TrainOptions: Sendable, Equatable, Codable {
    // Data: exactly one of task, text, csv, npy-inputs.
    /// `--task`: a synthetic task, one of ``TrainChoices/tasks``.
    public var task: String?
    /// `--text`: the path of a UTF-8 text file to train a character-level language model on.
    public var text: String?
    /// `--csv`: the path of a CSV time series with a header row.
    public var csv: String?
    /// `--columns`: the CSV input columns (default: every column, targets included); needs ``csv``.
    public var columns: [String]?
    /// `--target`: the CSV target column(s); required with ``csv``.
    public var target: [String]?
    /// `--npy-inputs`: a `.npy` file of inputs `[examples, time, features]`; goes with ``npyTargets``.
    public var npyInputs: String?
    /// `--npy-targets`: a `.npy` file of targets `[examples]` or `[examples, outputs]`.
    public var npyTargets: String?
    /// `--sequence-length` (≥ 2): the task's T, the text sequence length or the CSV window.
    public var sequenceLength: Int?
    /// `--validation-fraction` in (0, 1): the share of a `--text` file held out for validation (default 0.1).
    public var validationFraction: Double?
    /// `--validation-streams` (≥ 1): 1 holds out the end of a `--text` file; S > 1 the end of each of
    /// S equal rows of it (char-rnn's split with S = 50; see ``CharacterTextDataset``).
    public var validationStreams: Int?
    // Model.
    /// `--cell`: the recurrent cell, one of ``TrainChoices/cells`` (default `lstm`).
    public var cell: String?
    /// `--layers` (> 0): the number of stacked recurrent layers (default 1).
    public var layers: Int?
    /// `--hidden` (> 0): the hidden size of every layer (default 64).
    public var hidden: Int?
    /// `--bidirectional`: whether each layer also reads the sequence backwards; excludes ``tbptt``.
    public var bidirectional: Bool?
    /// `--dropout` in [0, 1): the drop probability between stacked layers.
    public var dropout: Double?
    /// `--head-dropout` in [0, 1): the drop probability on the last layer's output before the head
    /// (char-rnn's dropout before the decoder).
    public var headDropout: Double?
    /// `--embedding-dimension` (> 0): the embedding size of a text model (default min(32, hidden)).
    public var embeddingDimension: Int?
    /// `--init-recurrent`: the recurrent weight initializer, one of
    /// ``TrainChoices/recurrentInitializers``.
    public var initRecurrent: String?
    /// `--spectral-radius` (> 0): the spectral radius to scale the recurrent weights to (default and
    /// orthogonal initializers only).
    public var spectralRadius: Double?
    /// `--init-weights`: the whole-network initializer, one of ``TrainChoices/weightInitializers``:
    /// `default` (each layer's own, then ``initRecurrent``) or `normal` (every weight matrix
    /// N(0, ``initStd``²) with the run's seed, every bias 0: Pascanu et al.'s "basic tanh"); `normal`
    /// excludes ``initRecurrent`` and ``spectralRadius``.
    public var initWeights: String?
    /// `--init-std` (> 0): the standard deviation of `--init-weights normal` (default 0.1).
    public var initStd: Double?
    // Optimization.
    /// `--vanishing-gradient-regularizer` (≥ 0): α of Pascanu et al.'s regularizer Ω, whose
    /// α·∂Ω/∂W_hh joins every layer's recurrent-weight gradient (rnn-tanh and rnn-relu only; see
    /// ``VanishingGradientRegularizer``).
    public var vanishingGradientRegularizer: Double?
    /// `--optimizer`: one of ``TrainChoices/optimizers`` (default `adam`).
    public var optimizer: String?
    /// `--learning-rate` (> 0): the base learning rate (default per optimizer).
    public var learningRate: Double?
    /// `--schedule`: the learning-rate schedule, one of ``TrainChoices/schedules``.
    public var schedule: String?
    /// `--schedule-steps` (> 0): the horizon of the schedule (cosine's and one-cycle's length, a
    /// third of it between step decays); default: the run's total steps. A checkpoint records the
    /// horizon used, so `--resume … --steps N` continues the same schedule unless this is given.
    public var scheduleSteps: Int?
    /// `--clip`: the gradient clipper, one of ``TrainChoices/clippers`` (default `global-norm`).
    public var clip: String?
    /// `--clip-threshold` (> 0): the clipper's threshold (max norm, max value, AGC λ, AutoClip
    /// percentile or ZClip z); not with `clip` `none`.
    public var clipThreshold: Double?
    /// `--tbptt`: truncated backpropagation through time, `K1` or `K1,K2` with 1 ≤ K2 ≤ K1 (window,
    /// backpropagation depth); kept as text so both forms survive a configuration file.
    public var tbptt: String?
    // Monitoring.
    /// `--monitors`: the monitor set, one of ``TrainChoices/monitorSets``.
    public var monitors: String?
    /// `--on-explosion`: what to do on a gradient explosion, one of ``TrainChoices/explosionPolicies``
    /// (default `skip`).
    public var onExplosion: String?
    /// `--monitor-every` (> 0): the interval in steps between σ_max and gradient-flow records
    /// (default 10).
    public var monitorEvery: Int?
    // Evaluation.
    /// `--validate-every` (> 0): the interval in steps between validations (default: every epoch,
    /// 100 batches for a task).
    public var validateEvery: Int?
    /// `--test-sequences` (> 0, synthetic tasks only): at every validation, also evaluate this many
    /// freshly generated sequences (their own seed stream) and report `errorRate`, the fraction
    /// judged wrong by the task's published criterion (`SequenceErrorCriterion` in KeelData).
    public var testSequences: Int?
    /// `--stop-at-error` in (0, 1]: stop as soon as a validation's `errorRate` is below this (the run
    /// counts as solved); needs ``testSequences``.
    public var stopAtError: Double?
    // Budget.
    /// `--epochs` (> 0): the number of passes over the data (default 1; a task epoch is 100 batches).
    public var epochs: Int?
    /// `--steps` (> 0): the total number of optimizer steps; overrides ``epochs``.
    public var steps: Int?
    /// `--batch-size` (> 0): the number of sequences per batch (default 32).
    public var batchSize: Int?
    /// `--seed`: the seed of initialization, data order and dropout.
    public var seed: UInt64?
    // Files.
    /// `--checkpoint-dir`: the directory checkpoints are written to (atomically replaced).
    public var checkpointDir: String?
    /// `--checkpoint-every` (> 0): the interval in steps between checkpoints (default: at the end);
    /// needs ``checkpointDir``.
    public var checkpointEvery: Int?
    /// `--best-checkpoint-dir`: where the checkpoint of the lowest validation loss so far is kept
    /// (replaced at each improvement); needs a validation split.
    public var bestCheckpointDir: String?
    /// `--log`: the path of the JSON Lines file every training event is written to.
    public var log: String?

    /// Options with nothing set: every default applies.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case task, text, csv, columns, target
        case npyInputs = "npy-inputs", npyTargets = "npy-targets", sequenceLength = "sequence-length", validationFraction = "validation-fraction", validationStreams = "validation-streams"
        case cell, layers, hidden, bidirectional, dropout, headDropout = "head-dropout"
        case embeddingDimension = "embedding-dimension", initRecurrent = "init-recurrent", spectralRadius = "spectral-radius"
        case initWeights = "init-weights", initStd = "init-std"
        case vanishingGradientRegularizer = "vanishing-gradient-regularizer"
        case optimizer, learningRate = "learning-rate", schedule, scheduleSteps = "schedule-steps", clip, clipThreshold = "clip-threshold", tbptt
        case monitors, onExplosion = "on-explosion", monitorEvery = "monitor-every"
        case validateEvery = "validate-every", testSequences = "test-sequences", stopAtError = "stop-at-error"
        case epochs, steps, batchSize = "batch-size", seed
        case checkpointDir = "checkpoint-dir", checkpointEvery = "checkpoint-every", bestCheckpointDir = "best-checkpoint-dir", log
    }

    /// The JSON keys a configuration file may use.
    public static var keys: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// `self` with every option that `overrides` sets replaced.
    public func overridden(by overrides: TrainOptions) -> TrainOptions {
        var merged = self
        func take<T>(_ path: WritableKeyPath<TrainOptions, T?>) {
            if let value = overrides[keyPath: path] { merged[keyPath: path] = value }
        }
        take(\.task); take(\.text); take(\.csv); take(\.columns); take(\.target); take(\.npyInputs); take(\.npyTargets)
        take(\.sequenceLength); take(\.validationFraction); take(\.validationStreams); take(\.cell); take(\.layers); take(\.hidden); take(\.bidirectional); take(\.dropout); take(\.headDropout)
        take(\.embeddingDimension); take(\.initRecurrent); take(\.spectralRadius); take(\.initWeights); take(\.initStd)
        take(\.vanishingGradientRegularizer); take(\.optimizer); take(\.learningRate)
        take(\.schedule); take(\.scheduleSteps); take(\.clip); take(\.clipThreshold); take(\.tbptt); take(\.monitors); take(\.onExplosion)
        take(\.monitorEvery); take(\.validateEvery); take(\.testSequences); take(\.stopAtError); take(\.epochs); take(\.steps); take(\.batchSize); take(\.seed); take(\.checkpointDir)
        take(\.checkpointEvery); take(\.bestCheckpointDir); take(\.log)
        return merged
    }

    /// Reads a JSON configuration file, reporting every unknown key and wrongly typed value at once.
    ///
    /// - Throws: ``ConfigurationError`` (source: the file's path) or ``CommandError`` when the
    ///   file cannot be read or is not a JSON object.
    public static func load(contentsOfFile path: String) throws -> TrainOptions {
        try load(bytes: [UInt8](try InputFile.read(path, what: "the configuration file")), source: path)
    }

    /// Reads options from the bytes of a JSON configuration; `source` names them in errors.
    static func load(bytes: [UInt8], source path: String, complete: Bool = true) throws -> TrainOptions {
        let value: JSONValue
        do {
            value = try JSONValueParser.parse(bytes)
        } catch let error as JSONValueParser.SyntaxError {
            throw CommandError("\(path): not valid JSON: \(error)")
        }
        guard case .object(let dictionary) = value else {
            throw CommandError("\(path): the configuration must be a JSON object of options, e.g. {\"cell\": \"lstm\"}")
        }
        return try parse(dictionary, source: path, complete: complete)
    }

    static func parse(_ dictionary: [String: JSONValue], source: String, complete: Bool = true) throws -> TrainOptions {
        var options = TrainOptions()
        var problems: [String] = []
        func string(_ key: CodingKeys) -> String? {
            guard let value = dictionary[key.rawValue] else { return nil }
            if case .string(let text) = value { return text }
            problems.append("\(key.rawValue) must be a string (got \(value))")
            return nil
        }
        func number(_ key: CodingKeys) -> Double? {
            guard let value = dictionary[key.rawValue] else { return nil }
            if case .number(let number) = value { return number }
            problems.append("\(key.rawValue) must be a number (got \(value))")
            return nil
        }
        func integer(_ key: CodingKeys) -> Int? {
            guard let value = number(key) else { return nil }
            guard value == value.rounded(), abs(value) < 1e15 else {
                problems.append("\(key.rawValue) must be a whole number (got \(value))")
                return nil
            }
            return Int(value)
        }
        func boolean(_ key: CodingKeys) -> Bool? {
            guard let value = dictionary[key.rawValue] else { return nil }
            if case .bool(let flag) = value { return flag }
            problems.append("\(key.rawValue) must be true or false (got \(value))")
            return nil
        }
        func list(_ key: CodingKeys) -> [String]? {
            guard let value = dictionary[key.rawValue] else { return nil }
            if case .string(let text) = value { return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            if case .array(let items) = value {
                let strings = items.compactMap { if case .string(let text) = $0 { text } else { nil } }
                if strings.count == items.count { return strings }
            }
            problems.append("\(key.rawValue) must be a list of strings or a comma-separated string")
            return nil
        }
        for key in dictionary.keys.sorted() where CodingKeys(rawValue: key) == nil {
            if let suggestion = closestMatch(to: key, in: keys) {
                problems.append("unknown key '\(key)' (did you mean '\(suggestion)'?)")
            } else {
                problems.append("unknown key '\(key)'")
            }
        }
        options.task = string(.task)
        options.text = string(.text)
        options.csv = string(.csv)
        options.columns = list(.columns)
        options.target = list(.target)
        options.npyInputs = string(.npyInputs)
        options.npyTargets = string(.npyTargets)
        options.sequenceLength = integer(.sequenceLength)
        options.validationFraction = number(.validationFraction)
        options.validationStreams = integer(.validationStreams)
        options.cell = string(.cell)
        options.layers = integer(.layers)
        options.hidden = integer(.hidden)
        options.bidirectional = boolean(.bidirectional)
        options.dropout = number(.dropout)
        options.headDropout = number(.headDropout)
        options.embeddingDimension = integer(.embeddingDimension)
        options.initRecurrent = string(.initRecurrent)
        options.spectralRadius = number(.spectralRadius)
        options.initWeights = string(.initWeights)
        options.initStd = number(.initStd)
        options.vanishingGradientRegularizer = number(.vanishingGradientRegularizer)
        options.optimizer = string(.optimizer)
        options.learningRate = number(.learningRate)
        options.schedule = string(.schedule)
        options.scheduleSteps = integer(.scheduleSteps)
        options.clip = string(.clip)
        options.clipThreshold = number(.clipThreshold)
        if case .number(let value)? = dictionary[CodingKeys.tbptt.rawValue] {
            options.tbptt = String(Int(value))
        } else {
            options.tbptt = string(.tbptt)
        }
        options.monitors = string(.monitors)
        options.onExplosion = string(.onExplosion)
        options.monitorEvery = integer(.monitorEvery)
        options.validateEvery = integer(.validateEvery)
        options.testSequences = integer(.testSequences)
        options.stopAtError = number(.stopAtError)
        options.epochs = integer(.epochs)
        options.steps = integer(.steps)
        options.batchSize = integer(.batchSize)
        if let seed = integer(.seed) {
            if seed < 0 { problems.append("seed must be ≥ 0 (got \(seed))") } else { options.seed = UInt64(seed) }
        }
        options.checkpointDir = string(.checkpointDir)
        options.checkpointEvery = integer(.checkpointEvery)
        options.bestCheckpointDir = string(.bestCheckpointDir)
        options.log = string(.log)
        // Semantic problems are reported together with the syntactic ones.
        problems += options.problems(complete: complete)
        if !problems.isEmpty { throw ConfigurationError(source: source, problems: problems) }
        return options
    }
}

/// A JSON value, decoded without losing the difference between `true` and `1`.
enum JSONValue: Decodable, CustomStringConvertible {
    case string(String), number(Double), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let items = try? container.decode([JSONValue].self) { self = .array(items) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var description: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): String(flag)
        case .array: "a list"
        case .object: "an object"
        case .null: "null"
        }
    }
}
