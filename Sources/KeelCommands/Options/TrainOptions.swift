import Foundation
import KeelCore

/// The options of `keel train`, every one optional: they come from the command line, a JSON
/// configuration file (`--config`, keys spelled as the flags: `"learning-rate": 0.01`), or both
/// (the command line wins). Each option is declared once, in ``descriptors``, which drives parsing,
/// the JSON keys, per-value checks, merging and `--help`; ``problems(complete:)`` lists every problem.
public struct TrainOptions: Sendable, Equatable, Codable {
    // Data: exactly one of task, text, csv, npy-inputs.
    /// `--task`: a synthetic task, one of ``TrainChoices/tasks``.
    public var task: TaskChoice?
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
    public var cell: CellChoice?
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
    public var initRecurrent: RecurrentInitializerChoice?
    /// `--spectral-radius` (> 0): the spectral radius to scale the recurrent weights to (default and
    /// orthogonal initializers only).
    public var spectralRadius: Double?
    /// `--init-weights`: the whole-network initializer, one of ``TrainChoices/weightInitializers``:
    /// `default` (each layer's own, then ``initRecurrent``) or `normal` (every weight matrix
    /// N(0, ``initStd``²) with the run's seed, every bias 0: Pascanu et al.'s "basic tanh"); `normal`
    /// excludes ``initRecurrent`` and ``spectralRadius``.
    public var initWeights: WeightInitializerChoice?
    /// `--init-std` (> 0): the standard deviation of `--init-weights normal` (default 0.1).
    public var initStd: Double?
    // Optimization.
    /// `--vanishing-gradient-regularizer` (≥ 0): α of Pascanu et al.'s regularizer Ω, whose
    /// α·∂Ω/∂W_hh joins every layer's recurrent-weight gradient (rnn-tanh and rnn-relu only; see
    /// ``VanishingGradientRegularizer``).
    public var vanishingGradientRegularizer: Double?
    /// `--optimizer`: one of ``TrainChoices/optimizers`` (default `adam`).
    public var optimizer: OptimizerChoice?
    /// `--learning-rate` (> 0): the base learning rate (default per optimizer).
    public var learningRate: Double?
    /// `--schedule`: the learning-rate schedule, one of ``TrainChoices/schedules``.
    public var schedule: ScheduleChoice?
    /// `--schedule-steps` (> 0): the horizon of the schedule (cosine's and one-cycle's length, a
    /// third of it between step decays); default: the run's total steps. A checkpoint records the
    /// horizon used, so `--resume … --steps N` continues the same schedule unless this is given.
    public var scheduleSteps: Int?
    /// `--clip`: the gradient clipper, one of ``TrainChoices/clippers`` (default `global-norm`).
    public var clip: ClipperChoice?
    /// `--clip-threshold` (> 0): the clipper's threshold (max norm, max value, AGC λ, AutoClip
    /// percentile or ZClip z); not with `clip` `none`.
    public var clipThreshold: Double?
    /// `--tbptt`: truncated backpropagation through time, `K1` or `K1,K2` with 1 ≤ K2 ≤ K1 (window,
    /// backpropagation depth); kept as text so both forms survive a configuration file.
    public var tbptt: String?
    // Monitoring.
    /// `--monitors`: the monitor set, one of ``TrainChoices/monitorSets``.
    public var monitors: MonitorSetChoice?
    /// `--on-explosion`: what to do on a gradient explosion, one of ``TrainChoices/explosionPolicies``
    /// (default `skip`).
    public var onExplosion: ExplosionPolicyChoice?
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

    /// Every option of `keel train`, in `--help` order: the one place an option is named,
    /// described and checked. Adding an option means adding its property above and its line here.
    public static let descriptors: [TrainOptionDescriptor] = [
        .init(\.task, "task", help: "Synthetic task (default adding)."),
        .init(\.text, "text", help: "A UTF-8 text file to train a character-level language model on."),
        .init(\.csv, "csv", help: "A CSV time series (with a header row)."),
        .init(\.columns, "columns", help: "CSV input columns, comma-separated (default: all)."),
        .init(\.target, "target", help: "CSV target column(s), comma-separated."),
        .init(\.npyInputs, "npy-inputs", help: "A .npy file of inputs [examples, time, features] (float32/float64)."),
        .init(\.npyTargets, "npy-targets", help: "A .npy file of targets [examples] or [examples, outputs]."),
        .init(\.sequenceLength, "sequence-length", help: "Sequence length (task length T, text sequence length, CSV window).", check: .atLeast(2)),
        .init(
            \.validationFraction, "validation-fraction",
            help: "Share of a --text file held out for validation (from its end, or from the end of each --validation-streams row), in (0, 1) (default 0.1).",
            check: .openFraction),
        .init(
            \.validationStreams, "validation-streams",
            help: "1: hold out the end of a --text file (default); S > 1: the end of each of S equal rows of it (char-rnn's split: 50).", check: .positive),
        .init(\.cell, "cell", help: "Recurrent cell (default lstm)."),
        .init(\.layers, "layers", help: "Stacked recurrent layers (default 1).", check: .positive),
        .init(\.hidden, "hidden", help: "Hidden size (default 64).", check: .positive),
        .init(\.bidirectional, "bidirectional", help: "Run each layer in both directions."),
        .init(\.dropout, "dropout", help: "Dropout between stacked layers, in [0, 1).", check: .probability),
        .init(
            \.headDropout, "head-dropout", help: "Dropout on the last layer's output before the head, in [0, 1) (char-rnn's dropout before the decoder).",
            check: .probability),
        .init(\.embeddingDimension, "embedding-dimension", help: "Embedding dimension of a --text model (default min(32, hidden)).", check: .positive),
        .init(\.initRecurrent, "init-recurrent", help: "Recurrent weight initializer."),
        .init(\.spectralRadius, "spectral-radius", help: "Scale the recurrent weights to this spectral radius (orthogonal base).", check: .positive),
        .init(
            \.initWeights, "init-weights",
            help: "Whole-network initializer (default: each layer's own). normal: every weight matrix N(0, init-std²) with the run's seed, every bias 0 (Pascanu et al.'s \"basic tanh\"); not with --init-recurrent or --spectral-radius."),
        .init(\.initStd, "init-std", help: "Standard deviation of --init-weights normal (default 0.1).", check: .positive),
        .init(
            \.vanishingGradientRegularizer, "vanishing-gradient-regularizer",
            help: "Pascanu et al.'s regularizer against vanishing gradients: add alpha·∂Ω/∂W_hh to the recurrent-weight gradient (rnn-tanh and rnn-relu; pair it with --clip).",
            check: .nonNegative),
        .init(\.optimizer, "optimizer", help: "Optimizer (default adam)."),
        .init(\.learningRate, "learning-rate", help: "Learning rate (default per optimizer: sgd 0.05, adam 0.003, …).", check: .positive),
        .init(\.schedule, "schedule", help: "Learning-rate schedule (default constant)."),
        .init(
            \.scheduleSteps, "schedule-steps",
            help: "The schedule's horizon in steps (default: the run's total steps; a resumed run keeps its checkpoint's).", check: .positive),
        .init(\.clip, "clip", help: "Gradient clipper (default global-norm)."),
        .init(
            \.clipThreshold, "clip-threshold", help: "The clipper's threshold (max norm, max value, AGC λ, AutoClip percentile, ZClip z).",
            check: .positive),
        .init(\.tbptt, "tbptt", help: "Truncated BPTT: K1 (window) or K1,K2 (window, backpropagation depth).", numbersAsText: true),
        .init(\.monitors, "monitors", help: "Monitors (standard: non-finite, explosion, loss spike, vanishing, dynamics)."),
        .init(\.onExplosion, "on-explosion", help: "On a gradient explosion or non-finite gradient (default skip)."),
        .init(\.monitorEvery, "monitor-every", help: "Log σ_max(W_hh) and the gradient-flow profile every N steps (default 10).", check: .positive),
        .init(\.validateEvery, "validate-every", help: "Validate every N steps (default: every epoch, 100 batches for a task).", check: .positive),
        .init(
            \.testSequences, "test-sequences",
            help: "At each validation also evaluate N freshly generated sequences of the --task (own seed stream) and report errorRate, the fraction wrong by the task's published criterion (adding/multiplication: squared error > 0.04; temporal order, permutation: last-step arg-max ≠ class; copy, memorization: any step wrong).",
            check: .positive),
        .init(
            \.stopAtError, "stop-at-error",
            help: "Stop as soon as a validation's errorRate is below E, in (0, 1] (the run is solved); needs --test-sequences."),
        .init(\.epochs, "epochs", help: "Epochs (default 1; a task epoch is 100 batches).", check: .positive),
        .init(\.steps, "steps", help: "Total optimizer steps (overrides --epochs).", check: .positive),
        .init(\.batchSize, "batch-size", help: "Batch size (default 32).", check: .positive),
        .init(\.seed, "seed", help: "Seed for initialization, data order and dropout (0 ... 2⁶⁴−1)."),
        .init(\.checkpointDir, "checkpoint-dir", help: "Write checkpoints to this directory (atomically replaced)."),
        .init(\.checkpointEvery, "checkpoint-every", help: "Checkpoint every N steps (default: at the end).", check: .positive),
        .init(
            \.bestCheckpointDir, "best-checkpoint-dir",
            help: "Keep the checkpoint of the lowest validation loss in this directory (replaced at each improvement)."),
        .init(\.log, "log", help: "Write every training event to this JSON Lines file (for keel report)."),
    ]

    /// The descriptor named `name` (a flag without dashes or a JSON key).
    public static func descriptor(named name: String) -> TrainOptionDescriptor? { descriptorsByName[name] }

    private static let descriptorsByName: [String: TrainOptionDescriptor] = Dictionary(uniqueKeysWithValues: descriptors.map { ($0.name, $0) })

    /// The JSON keys a configuration file may use.
    public static var keys: [String] { descriptors.map(\.name) }

    /// The names of the options set here, in ``descriptors`` order.
    public var setOptions: [String] { Self.descriptors.filter { $0.isSet(self) }.map(\.name) }

    /// `self` with every option that `overrides` sets replaced.
    public func overridden(by overrides: TrainOptions) -> TrainOptions {
        var merged = self
        for descriptor in Self.descriptors { descriptor.take(overrides, &merged) }
        return merged
    }

    /// `--help`'s list of the options: one `--name <value>` line each, with its help wrapped to 80
    /// columns and indented below.
    public static var helpText: String {
        descriptors.map { descriptor in
            var lines = ["  " + descriptor.usage]
            var line = ""
            let choices = descriptor.choices.map { " One of: \($0.joined(separator: ", "))." } ?? ""
            for word in (descriptor.help + choices).split(separator: " ") {
                if !line.isEmpty && 8 + line.count + 1 + word.count > 80 {
                    lines.append(String(repeating: " ", count: 8) + line)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + word
            }
            lines.append(String(repeating: " ", count: 8) + line)
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Writes the options that are set, keyed by their names (the configuration-file form).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TrainOptionKey.self)
        for descriptor in Self.descriptors { try descriptor.encode(self, &container) }
    }

    /// Reads options written by ``encode(to:)`` or by hand, with the checks of a configuration file.
    ///
    /// - Throws: ``ConfigurationError`` listing every unknown key and wrongly typed value.
    public init(from decoder: any Decoder) throws {
        let dictionary = try [String: JSONValue](from: decoder)
        self = try Self.parse(dictionary, source: "options", complete: false)
    }

    /// Reads the options of a `keel train` command line: `--name value`, `--name=value`, `--flag`
    /// and `--no-flag`, each as ``descriptors`` declares it.
    ///
    /// - Parameter arguments: The arguments after `keel train`, without those the command itself
    ///   handles (`--config`, `--resume`).
    /// - Returns: The options given and every problem found (unknown options, missing or malformed
    ///   values, unknown choices, values that fail their option's check), in argument order.
    public static func parse(arguments: [String]) -> (options: TrainOptions, problems: [String]) {
        var options = TrainOptions()
        var problems: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                problems.append("unexpected argument '\(argument)' (options are spelled --name value)")
                continue
            }
            var name = String(argument.dropFirst(2))
            var value: String? = nil
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if let descriptor = descriptor(named: name) {
                if descriptor.isFlag {
                    if let value, let problem = descriptor.readArgument(value, &options) { problems.append(problem.message) }
                    if value == nil { _ = descriptor.readArgument("true", &options) }
                    continue
                }
                if value == nil {
                    guard index < arguments.count else {
                        problems.append("--\(name) needs a value (\(descriptor.valueName))")
                        continue
                    }
                    value = arguments[index]
                    index += 1
                }
                if let problem = descriptor.readArgument(value!, &options) { problems.append(problem.message) }
            } else if name.hasPrefix("no-"), value == nil, let descriptor = descriptor(named: String(name.dropFirst(3))), descriptor.isFlag {
                _ = descriptor.readArgument("false", &options)
            } else {
                let flags = descriptors.flatMap { $0.isFlag ? [$0.name, "no-" + $0.name] : [$0.name] }
                let suggestion = closestMatch(to: name, in: flags).map { " (did you mean '--\($0)'?)" } ?? ""
                problems.append("unknown option '--\(name)'\(suggestion)")
                // Its value, if it has one, would only add a second, confusing problem.
                if value == nil, index < arguments.count, !arguments[index].hasPrefix("--") { index += 1 }
            }
        }
        return (options, problems)
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
        for key in dictionary.keys.sorted() where descriptor(named: key) == nil {
            if let suggestion = closestMatch(to: key, in: keys) {
                problems.append("unknown key '\(key)' (did you mean '\(suggestion)'?)")
            } else {
                problems.append("unknown key '\(key)'")
            }
        }
        for descriptor in descriptors {
            guard let value = dictionary[descriptor.name] else { continue }
            if let problem = descriptor.readJSON(value, &options) { problems.append(problem.message) }
        }
        // Semantic problems are reported together with the syntactic ones.
        problems += options.problems(complete: complete)
        if !problems.isEmpty { throw ConfigurationError(source: source, problems: problems) }
        return options
    }
}
