import ArgumentParser
import KeelCommands

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a recurrent network on a task or on your own data.",
        discussion: """
            Data: --task NAME (default adding), or --text FILE (character language model), or --csv FILE \
            --target COLUMN [--columns a,b] (sliding windows of --sequence-length rows, normalized), or \
            --npy-inputs FILE --npy-targets FILE ([examples, time, features] → [examples, outputs]).
            Options can also come from a JSON file (--config; keys spelled as the flags, e.g. \
            {"cell": "gru", "learning-rate": 0.01}); flags given on the command line win. Every problem \
            with the options is listed at once.
            Exit status: 0 the run reached its steps or target; 1 an error (bad options, data or \
            checkpoint); 3 a monitor stopped training (--on-explosion stop); 4 the rollback budget \
            was exhausted; 5 the model diverged (non-finite weights, never checkpointed, or a non-finite or absurd validation loss).
            Data-parallel on several processes or machines (Open MPI: apt-get install openmpi-bin), with the \
            same options: one host, 4 ranks: mpirun -np 4 keel train ARGS; two hosts, 2 ranks each: \
            mpirun -H host1:2,host2:2 --mca btl_tcp_if_include eth0 --mca oob_tcp_if_include eth0 keel train ARGS \
            (keel at the same path on every host). --batch-size is the global batch (divisible by the rank \
            count); rank 0 writes the log and checkpoints, which resume on any rank count.
            """)

    @Option(help: "A JSON file of options (keys as the flag names); command-line flags override it.")
    var config: String?

    @Option(help: "Synthetic task: \(TrainChoices.tasks.joined(separator: "|")).")
    var task: String?
    @Option(help: "A UTF-8 text file to train a character-level language model on.")
    var text: String?
    @Option(help: "A CSV time series (with a header row).")
    var csv: String?
    @Option(help: "CSV input columns, comma-separated (default: all).")
    var columns: String?
    @Option(help: "CSV target column(s), comma-separated.")
    var target: String?
    @Option(help: "A .npy file of inputs [examples, time, features] (float32/float64).")
    var npyInputs: String?
    @Option(help: "A .npy file of targets [examples] or [examples, outputs].")
    var npyTargets: String?
    @Option(parsing: .unconditional, help: "Sequence length (task length T, text sequence length, CSV window).")
    var sequenceLength: Int?
    @Option(parsing: .unconditional, help: "Share of a --text file held out for validation (from its end, or from the end of each --validation-streams row), in (0, 1) (default 0.1).")
    var validationFraction: Double?
    @Option(parsing: .unconditional, help: "1: hold out the end of a --text file (default); S > 1: the end of each of S equal rows of it (char-rnn's split: 50).")
    var validationStreams: Int?

    @Option(help: "Recurrent cell: \(TrainChoices.cells.joined(separator: "|")) (default lstm).")
    var cell: String?
    @Option(parsing: .unconditional, help: "Stacked recurrent layers (default 1).")
    var layers: Int?
    @Option(parsing: .unconditional, help: "Hidden size (default 64).")
    var hidden: Int?
    @Flag(inversion: .prefixedNo, help: "Run each layer in both directions.")
    var bidirectional: Bool?
    @Option(parsing: .unconditional, help: "Dropout between stacked layers, in [0, 1).")
    var dropout: Double?
    @Option(parsing: .unconditional, help: "Dropout on the last layer's output before the head, in [0, 1) (char-rnn's dropout before the decoder).")
    var headDropout: Double?
    @Option(parsing: .unconditional, help: "Embedding dimension of a --text model (default min(32, hidden)).")
    var embeddingDimension: Int?
    @Option(help: "Recurrent weight initializer: \(TrainChoices.recurrentInitializers.joined(separator: "|")).")
    var initRecurrent: String?
    @Option(parsing: .unconditional, help: "Scale the recurrent weights to this spectral radius (orthogonal base).")
    var spectralRadius: Double?
    @Option(help: "Whole-network initializer: \(TrainChoices.weightInitializers.joined(separator: "|")) (default: each layer's own). normal: every weight matrix N(0, init-std²) with the run's seed, every bias 0 (Pascanu et al.'s \"basic tanh\"); not with --init-recurrent or --spectral-radius.")
    var initWeights: String?
    @Option(parsing: .unconditional, help: "Standard deviation of --init-weights normal (default 0.1).")
    var initStd: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Pascanu et al.'s regularizer against vanishing gradients: add alpha·∂Ω/∂W_hh to the recurrent-weight gradient (rnn-tanh and rnn-relu; pair it with --clip).",
        valueName: "alpha"))
    var vanishingGradientRegularizer: Double?
    @Option(help: "Optimizer: \(TrainChoices.optimizers.joined(separator: "|")) (default adam).")
    var optimizer: String?
    @Option(parsing: .unconditional, help: "Learning rate (default per optimizer: sgd 0.05, adam 0.003, …).")
    var learningRate: Double?
    @Option(help: "Learning-rate schedule: \(TrainChoices.schedules.joined(separator: "|")).")
    var schedule: String?
    @Option(parsing: .unconditional, help: "The schedule's horizon in steps (default: the run's total steps; a resumed run keeps its checkpoint's).")
    var scheduleSteps: Int?
    @Option(help: "Gradient clipper: \(TrainChoices.clippers.joined(separator: "|")) (default global-norm).")
    var clip: String?
    @Option(parsing: .unconditional, help: "The clipper's threshold (max norm, max value, AGC λ, AutoClip percentile, ZClip z).")
    var clipThreshold: Double?
    @Option(parsing: .unconditional, help: "Truncated BPTT: K1 (window) or K1,K2 (window, backpropagation depth).")
    var tbptt: String?

    @Option(help: "Monitors: standard|none (standard: non-finite, explosion, loss spike, vanishing, dynamics).")
    var monitors: String?
    @Option(help: "On a gradient explosion or non-finite gradient: \(TrainChoices.explosionPolicies.joined(separator: "|")) (default skip).")
    var onExplosion: String?
    @Option(parsing: .unconditional, help: "Log σ_max(W_hh) and the gradient-flow profile every N steps (default 10).")
    var monitorEvery: Int?

    @Option(parsing: .unconditional, help: "Validate every N steps (default: every epoch, 100 batches for a task).")
    var validateEvery: Int?
    @Option(parsing: .unconditional, help: "At each validation also evaluate N freshly generated sequences of the --task (own seed stream) and report errorRate, the fraction wrong by the task's published criterion (adding/multiplication: squared error > 0.04; temporal order, permutation: last-step arg-max ≠ class; copy, memorization: any step wrong).")
    var testSequences: Int?
    @Option(parsing: .unconditional, help: "Stop as soon as a validation's errorRate is below E, in (0, 1] (the run is solved); needs --test-sequences.")
    var stopAtError: Double?

    @Option(parsing: .unconditional, help: "Epochs (default 1; a task epoch is 100 batches).")
    var epochs: Int?
    @Option(parsing: .unconditional, help: "Total optimizer steps (overrides --epochs).")
    var steps: Int?
    @Option(parsing: .unconditional, help: "Batch size (default 32).")
    var batchSize: Int?
    @Option(parsing: .unconditional, help: "Seed for initialization, data order and dropout (0 ... 2⁶⁴−1).")
    var seed: String?

    @Option(help: "Write checkpoints to this directory (atomically replaced).")
    var checkpointDir: String?
    @Option(parsing: .unconditional, help: "Checkpoint every N steps (default: at the end).")
    var checkpointEvery: Int?
    @Option(help: "Keep the checkpoint of the lowest validation loss in this directory (replaced at each improvement).")
    var bestCheckpointDir: String?
    @Option(help: "Resume from a checkpoint directory written by keel train (its options are the defaults; checkpoints go back into it unless --checkpoint-dir says otherwise).")
    var resume: String?
    @Option(help: "Write every training event to this JSON Lines file (for keel report).")
    var log: String?

    /// The options given on the command line (`nil` where a flag is absent); throws for a seed
    /// that is not a whole number in range (`--seed` is read as text so that a negative value
    /// reaches this message instead of the parser's "missing value").
    func commandLineOptions() throws -> TrainOptions {
        var options = TrainOptions()
        if let seed {
            guard let value = UInt64(seed) else {
                throw ConfigurationError(source: "command line", problems: ["seed must be a whole number in 0 ... \(UInt64.max) (got \(seed))"])
            }
            options.seed = value
        }
        func list(_ text: String?) -> [String]? { text.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } }
        options.task = task; options.text = text; options.csv = csv; options.columns = list(columns); options.target = list(target)
        options.npyInputs = npyInputs; options.npyTargets = npyTargets; options.sequenceLength = sequenceLength
        options.validationFraction = validationFraction; options.validationStreams = validationStreams
        options.cell = cell; options.layers = layers; options.hidden = hidden; options.bidirectional = bidirectional
        options.dropout = dropout; options.headDropout = headDropout; options.embeddingDimension = embeddingDimension; options.initRecurrent = initRecurrent
        options.spectralRadius = spectralRadius; options.initWeights = initWeights; options.initStd = initStd
        options.vanishingGradientRegularizer = vanishingGradientRegularizer; options.optimizer = optimizer; options.learningRate = learningRate
        options.schedule = schedule; options.scheduleSteps = scheduleSteps; options.clip = clip; options.clipThreshold = clipThreshold; options.tbptt = tbptt
        options.monitors = monitors; options.onExplosion = onExplosion; options.monitorEvery = monitorEvery
        options.validateEvery = validateEvery; options.testSequences = testSequences; options.stopAtError = stopAtError
        options.epochs = epochs; options.steps = steps; options.batchSize = batchSize
        options.checkpointDir = checkpointDir; options.checkpointEvery = checkpointEvery; options.bestCheckpointDir = bestCheckpointDir; options.log = log
        return options
    }

    func run() throws {
        var status = TrainExitStatus.success
        try runReportingErrors {
            let commandLine = try commandLineOptions()
            var options = TrainOptions()
            var sources: [String] = []
            if let resume {
                options = try TrainRunner.savedOptions(in: resume)
                sources.append(resume)
            }
            if let config {
                options = options.overridden(by: try TrainOptions.load(contentsOfFile: config))
                sources.append(config)
            }
            options = options.overridden(by: commandLine)
            sources.append("command line")
            // A resumed run writes its checkpoints into the directory it resumed from unless told
            // otherwise (never into a directory recorded by another run).
            if let resume, options.checkpointDir == nil { options.checkpointDir = resume }
            try options.validate(source: sources.count == 1 ? "command line" : sources.joined(separator: " + "))
            status = try DistributedTraining.run(TrainRunner(options: options, resume: resume)).exitStatus
        }
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
