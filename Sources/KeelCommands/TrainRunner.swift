import Foundation
import KeelCore
import KeelData
import KeelLayers
import KeelMonitors
import KeelOptimizers
import KeelTrainer
import KeelReport

/// What a `keel train` run ended with.
public struct TrainOutcome: Sendable {
    /// The number of optimizer steps taken, counting those of a resumed checkpoint.
    public var step: Int
    /// Why training stopped, as the trainer describes it.
    public var stopReason: String
    /// The training loss of the last step, if any step ran.
    public var lastLoss: Double?
    /// The held-out loss at the end, when the data has a validation split.
    public var validationLoss: Double?
    /// The fraction of the `--test-sequences` judged wrong at the end, when they were requested.
    public var testErrorRate: Double?
    /// The step of the validation whose `errorRate` first fell below `--stop-at-error` (the run
    /// stopped there, solved); `nil` when it never did or no target was set.
    public var solvedAtStep: Int?
    /// The lowest validation loss seen and its step, when `--best-checkpoint-dir` kept it.
    public var bestValidation: (loss: Double, step: Int)?
    /// The process exit status `keel train` ends with (0 when the run reached its steps or target).
    public var exitStatus: TrainExitStatus = .success
}

/// `keel train`: builds the data, model, pipeline and monitors the options name, trains, and
/// writes checkpoints (with `model.json`, the options and the vocabulary or normalization), a
/// JSON Lines log and console progress.
public struct TrainRunner {
    /// The options of the run, already merged from the configuration file and the command line.
    public var options: TrainOptions
    /// A checkpoint directory to resume from.
    public var resume: String?
    /// Console output (progress lines and the summary).
    public var write: @Sendable (String) -> Void
    /// How progress is shown on the console.
    public var progressMode: ConsoleProgressMode
    /// The processes training together (``DistributedTraining`` sets it under `mpirun`): each
    /// trains on its shard of every batch, and only rank 0 writes the log and checkpoints.
    public var collective: any TrainingCollective = SingleProcess()

    /// A run of `options`, resuming from the checkpoint directory `resume` when given, printing to
    /// standard output by default.
    public init(
        options: TrainOptions, resume: String? = nil, progressMode: ConsoleProgressMode = .automatic,
        write: @escaping @Sendable (String) -> Void = { ConsoleProgressSink.writeToStandardOutput($0) }
    ) {
        self.options = options
        self.resume = resume
        self.write = write
        self.progressMode = progressMode
    }

    /// The options saved in a checkpoint directory by an earlier `keel train`, after the whole
    /// checkpoint was verified against its manifest. Data paths are stored relative to the
    /// checkpoint directory and come back resolved; the output paths (checkpoint, best checkpoint,
    /// log) are not stored: a resumed run writes where its own command line says (by default its
    /// checkpoint into the directory it resumed from).
    public static func savedOptions(in directory: String) throws -> TrainOptions {
        let verified = try CheckpointDirectory.verify(directory, required: [ModelFile.optionsFileName, ModelFile.fileName])
        let source = URL(fileURLWithPath: directory).appendingPathComponent(ModelFile.optionsFileName).path
        var options = try TrainOptions.load(bytes: verified.files[ModelFile.optionsFileName]!, source: source, complete: false)
        options.resolveDataPaths { StoredPath.resolve($0, against: directory) }
        return options
    }

    /// The `--cell` (default LSTM).
    var cellKind: RecurrentCellKind { (options.cell ?? .lstm).kind }

    /// The standard deviation of `--init-weights normal` (default 0.1), or nil for the layers' own
    /// initialization.
    var normalInitializationStd: Double? { options.initWeights == .normal ? options.initStd ?? 0.1 : nil }

    /// The network the options describe, sized for `data` (defaults: LSTM, one layer of 64, an
    /// embedding of min(32, hidden) for text; spectral radius 1 for the orthogonal initializer).
    public func specification(for data: PreparedData) -> RecurrentNetworkSpecification {
        let cell = cellKind
        let hidden = options.hidden ?? 64
        let radius = options.spectralRadius ?? (options.initRecurrent == .orthogonal ? 1 : nil)
        var specification = RecurrentNetworkSpecification(
            cell: cell, inputSize: data.inputSize, hiddenSize: hidden, layers: options.layers ?? 1, dropout: options.dropout ?? 0,
            headDropout: options.headDropout ?? 0,
            bidirectional: options.bidirectional ?? false, outputSize: data.outputSize, headOnEveryStep: data.headOnEveryStep,
            embedding: data.vocabulary.map { .init(vocabularySize: $0.count, dimension: options.embeddingDimension ?? min(32, hidden)) },
            recurrentSpectralRadius: radius,
            weightInitialization: normalInitializationStd.map { .normal(standardDeviation: $0) },
            seed: options.seed ?? 0,
            vanishingGradientRegularizer: options.vanishingGradientRegularizer.map { VanishingGradientRegularizer(weight: $0) })
        specification.computesInputGradient = false  // the input is data: nothing needs ∂L/∂input
        return specification
    }

    /// The monitors `--monitors` and `--on-explosion` select; with `none`, only the recurrent-dynamics
    /// and gradient-flow recorders that feed the report.
    public func monitors() -> MonitorSet {
        let every = options.monitorEvery ?? 10
        let isGated = cellKind == .lstm || cellKind == .gru
        let action: MonitorAction =
            switch options.onExplosion ?? .skip {
            case .skip: .skipUpdate
            case .rollback: .rollback
            case .stop: .stop
            case .warn: .warn
            }
        if options.monitors == MonitorSetChoice.none {
            return MonitorSet([RecurrentDynamicsMonitor(every: every, saturationThreshold: nil, hiddenGrowthThreshold: nil), GradientFlowSampler(every: every)], attributor: nil)
        }
        return MonitorSet(
            [
                NonFiniteMonitor(action: action == .warn ? .warn : (action == .skipUpdate ? .skipUpdate : action), escalateAfter: action == .skipUpdate ? 3 : nil),
                // From step 0: an absurd norm needs no history, and growth is measured against
                // however many earlier steps exist (the window fills over the first 10). Against
                // the median, not the minimum: one tiny norm in the window (a tanh RNN's
                // gradients fluctuate over two decades) made ordinary steps look like ×100
                // explosions, and a rollback, which restores the monitors too, replayed into the
                // same false alarm until the budget ran out.
                GradientExplosionMonitor(
                    absoluteThreshold: Self.absoluteGradientNormLimit, growthFactor: 100, window: 10, baseline: .median, action: action,
                    minimumHistory: 1),
                LossSpikeMonitor(action: .warn),
                VanishingGradientMonitor(),
                // Pascanu's σ_max(W_hh) > 1/γ rule is about h_t = φ(W_hh h_{t-1} + …); in an LSTM
                // or GRU the gates and the cell path shape the Jacobian, so it says nothing there (and
                // fired every check of every char-LM run). σ_max is still recorded for the report.
                RecurrentDynamicsMonitor(every: every, spectralMargin: isGated ? nil : 1),
                GradientFlowSampler(every: every),
            ],
            attributeWarnings: true)
    }

    /// The global gradient norm above which a step counts as an explosion from step 0, with no
    /// history: far above any norm a healthy run of these models produces (clipping thresholds
    /// are ~1–10), and low enough that the update's square stays finite in Float.
    static let absoluteGradientNormLimit = 1e8

    /// Runs training. Data errors surface before anything is written.
    @discardableResult
    public func run() throws -> TrainOutcome {
        try options.validate(source: "options")
        try checkOutputs()
        let data = try PreparedData.load(options).sharded(for: collective)
        if let problem = options.memoryProblem(data: (data.inputSize, data.outputSize, data.vocabulary?.count)) {
            throw ConfigurationError(source: "options", problems: [problem])
        }
        let specification = specification(for: data)
        write("keel train: \(data.summary)\n")
        let initialization = normalInitializationStd.map { "; init N(0, \($0)²), biases 0" } ?? ""
        write("model: \(specification.cell.rawValue), \(specification.layers) layer(s) × \(specification.hiddenSize)\(specification.bidirectional ? ", bidirectional" : ""); optimizer \((options.optimizer ?? .adam).rawValue), clip \((options.clip ?? .globalNorm).rawValue)\(initialization)\n")
        if let test = data.test {
            write("test: \(test.count) fresh sequences every \(options.validateEvery ?? data.source.batchesPerEpoch) steps, wrong if \(test.criterion.summary)\(options.stopAtError.map { "; stop when the error rate is below \($0)" } ?? "")\n")
        }
        return try specification.build(TrainingBody(runner: self, data: data, specification: specification))
    }

    /// Fails before any data is read or step is run when an output cannot be written: a log
    /// path that is a directory or lies in a missing directory, a checkpoint directory that is a
    /// file or someone else's directory.
    func checkOutputs() throws {
        for directory in [options.checkpointDir, options.bestCheckpointDir].compactMap({ $0 }) {
            try CheckpointDirectory.checkReplaceable(directory)
        }
        if let log = options.log {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: log, isDirectory: &isDirectory), isDirectory.boolValue {
                throw CommandError("\(log): is a directory; --log needs a file path")
            }
            let parent = URL(fileURLWithPath: log).standardizedFileURL.deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandError("\(log): the directory \(parent) does not exist")
            }
        }
    }

    struct TrainingBody: RecurrentNetworkBody {
        typealias Scalar = Float
        let runner: TrainRunner
        let data: PreparedData
        let specification: RecurrentNetworkSpecification

        func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> TrainOutcome where L.Scalar == Float, L.State: Sendable {
            var model = model
            RecurrentWeightInitialization.apply(runner.options.initRecurrent ?? .default, to: &model, seed: runner.options.seed ?? 0)
            switch data.loss {
            case .meanSquaredError: return try runner.execute(model: model, loss: MeanSquaredError<Float>(), data: data, specification: specification)
            case .crossEntropy: return try runner.execute(model: model, loss: SoftmaxCrossEntropy<Float>(), data: data, specification: specification)
            }
        }
    }

    func execute<M: StatefulSequenceModel, LossFunction: Loss>(
        model: M, loss: LossFunction, data: PreparedData, specification: RecurrentNetworkSpecification
    ) throws -> TrainOutcome where M.Scalar == Float, LossFunction.Scalar == Float {
        let optimizer = options.optimizer ?? .adam
        let learningRate = options.learningRate ?? optimizer.defaultLearningRate
        let perEpoch = data.source.batchesPerEpoch
        let (product, overflow) = (options.epochs ?? 1).multipliedReportingOverflow(by: perEpoch)
        let totalSteps = options.steps ?? (overflow ? Int.max / 4 : min(product, Int.max / 4))
        let epochs = options.steps != nil ? Int.max / 2 : (options.epochs ?? 1)
        let scheduleSteps = options.scheduleSteps ?? totalSteps
        let pipeline = PipelineFactory.make(
            optimizer: optimizer, learningRate: learningRate, schedule: options.schedule ?? .constant, totalSteps: scheduleSteps,
            clip: options.clip ?? .globalNorm, threshold: options.clipThreshold)
        var configuration = TrainerConfiguration(seed: options.seed ?? 0)
        if let tbptt = options.tbptt, let (k1, k2) = TrainOptions.parseTBPTT(tbptt) { configuration.truncatedBPTT = TruncatedBPTT(k1: k1, k2: k2) }
        configuration.reportsAccuracy = data.loss == .crossEntropy
        configuration.spectralNormInterval = options.monitorEvery ?? 10
        // After a rollback the learning rate halves and the offending batch is skipped, so that
        // the replay does not run into the same explosion.
        configuration.rollback = RollbackPolicy(learningRateBackoff: 0.5)
        if let every = options.validateEvery { configuration.validationSchedule = .everySteps(every) }
        var sinks: [any EventSink] = []
        if let log = options.log, collective.rank == 0 {
            if let resume {
                // Events a killed run logged after its last checkpoint would appear twice.
                try LogContinuation.trim(log, toStep: try CheckpointDirectory.verify(resume).step)
            } else {
                try? FileManager.default.removeItem(atPath: log)
            }
            sinks.append(try JSONLinesEventSink(path: log))
        }
        sinks.append(ConsoleProgressSink(totalSteps: totalSteps, every: max(1, totalSteps / 20), mode: progressMode, write: write))
        // Test sequences and a best checkpoint are measured at every validation, and once more at
        // the end; so is the divergence bound on the validation loss (non-finite, or a million
        // times the best constant prediction's: finite but useless weights).
        let validatesItself = data.test != nil || (options.bestCheckpointDir != nil && data.validation != nil)
        if validatesItself { configuration.validationSchedule = .everySteps(options.validateEvery ?? perEpoch) }
        configuration.validatesAtEnd = data.validation != nil
        if let target = options.stopAtError { configuration.stopConditions.append(.target(.errorRate, target)) }
        configuration.stopConditions.append(.divergence(.loss, bound: 1e6 * (data.baselineLoss ?? .infinity)))
        let extraFiles = try Dictionary(
            uniqueKeysWithValues: [options.checkpointDir, options.bestCheckpointDir].compactMap { $0 }.map { directory in
                (directory, try sidecars(for: directory, data: data, specification: specification, scheduleSteps: scheduleSteps))
            })
        configuration.checkpoints = CheckpointPolicy(
            directory: options.checkpointDir, every: options.checkpointDir.map { _ in options.checkpointEvery ?? max(totalSteps, 1) },
            bestDirectory: data.validation == nil ? nil : options.bestCheckpointDir, bestMetric: .loss,
            extraFiles: { extraFiles[$0] ?? [:] })
        var trainer = Trainer(model: model, loss: loss, pipeline: pipeline, monitors: monitors(), configuration: configuration, sinks: sinks)
        trainer.collective = collective
        trainer.heldOutEvaluation = data.test.map { test in
            HeldOutEvaluation(source: test.source, exampleCount: test.count) { test.criterion.wrongCount(predictions: $0, targets: $1) }
        }
        if let resume {
            try trainer.loadCheckpoint(from: resume, transformStateDecoders: AnyTransformStateDecoders([pipeline.first, pipeline.second]))
            write("resumed from \(resume) at step \(trainer.step)\n")
        }
        let result = try trainer.fit(epochs: epochs, source: data.source, validation: data.validation, maxSteps: totalSteps)
        return report(result, of: trainer, data: data)
    }

    /// The run's closing lines and outcome.
    func report<Model: Layer, LossFunction: Loss, Pipeline: GradientTransform>(
        _ result: FitResult, of trainer: Trainer<Model, LossFunction, Pipeline>, data: PreparedData
    ) -> TrainOutcome where Model.Scalar == Float {
        let status = TrainExitStatus(stopReason: result.stopReason)
        var validation = result.lastValidation
        if case .nonFiniteWeights = result.stopReason { validation = nil }
        var solvedAt: Int? = nil
        if case .targetReached(_, _, _, let step) = result.stopReason { solvedAt = step }
        var summary = "finished at step \(trainer.step) (\(solvedAt != nil ? "solved" : status.summary(stopReason: result.stopReason, onExplosion: options.onExplosion ?? .skip)))"
        if let last = result.lastLoss { summary += "; last training loss \(shortNumber(last))" }
        if let validation {
            summary += "; validation loss \(shortNumber(validation.loss))"
            if let accuracy = validation.accuracy { summary += ", accuracy \(String(format: "%.1f%%", 100 * accuracy))" }
        }
        if let baseline = data.baselineLoss { summary += " (baseline \(shortNumber(baseline)))" }
        if let test = data.test, let rate = validation?.errorRate {
            let wrong = Int((rate * Double(test.count)).rounded())
            summary += "; test error rate \(percent(rate)) (\(wrong) of \(test.count) fresh sequences with \(test.criterion.summary))"
            if let solvedAt { summary += "; solved at step \(solvedAt)" }
            else if let target = options.stopAtError { summary += "; not solved (target < \(percent(target)))" }
        }
        write(summary + "\n")
        switch result.stopReason {
        case .metricDiverged(_, let value, _):
            write("the model diverged: its validation loss is \(shortNumber(value))\(data.baselineLoss.map { " (the best constant prediction's is \(shortNumber($0)))" } ?? ""); clip the gradients or lower the learning rate\n")
        case .nonFiniteWeights(let parameter):
            write("weights: \(parameter) holds NaN or infinite values\(options.onExplosion == .warn ? " (--on-explosion warn lets non-finite updates through)" : ""); no checkpoint was written with them\((options.checkpointDir ?? options.bestCheckpointDir).map { ", \($0) keeps the last finite one if any" } ?? "")\n")
        default:
            if let directory = options.checkpointDir { write("checkpoint: \(directory)\n") }
        }
        if let directory = options.bestCheckpointDir, let best = trainer.bestCheckpoint {
            write("best validation loss \(shortNumber(best.value)) at step \(best.step): \(directory)\n")
        }
        if let log = options.log { write("log: \(log) (render it with: keel report \(log))\n") }
        if status != .success { write("exit status \(status.rawValue): \(status.meaning)\n") }
        let diverged = status == .diverged
        return TrainOutcome(
            step: trainer.step, stopReason: solvedAt != nil ? "solved" : diverged ? "diverged" : "\(result.stopReason)", lastLoss: result.lastLoss,
            validationLoss: validation?.loss, testErrorRate: validation?.errorRate, solvedAtStep: solvedAt,
            bestValidation: trainer.bestCheckpoint.map { ($0.value, $0.step) }, exitStatus: status)
    }

    /// The files `keel sample`, `keel evaluate` and `--resume` read beside a checkpoint in
    /// `directory` (`model.json`, the options, the vocabulary or normalization).
    func sidecars(for directory: String, data: PreparedData, specification: RecurrentNetworkSpecification, scheduleSteps: Int) throws -> [String: [UInt8]] {
        let kind = options.text != nil ? "text" : options.csv != nil ? "csv" : options.npyInputs != nil ? "npy" : "task"
        var files: [String: [UInt8]] = [:]
        files[ModelFile.fileName] = try ModelFile.encode(ModelFile(data: kind, specification: specification, sequenceLength: options.sequenceLength))
        var saved = options
        saved.checkpointDir = nil
        saved.bestCheckpointDir = nil
        saved.log = nil
        // The horizon matters only to a schedule; recorded, a resumed run keeps the same curve.
        saved.scheduleSteps = (options.schedule ?? .constant) == .constant ? options.scheduleSteps : scheduleSteps
        saved.resolveDataPaths { StoredPath.relative($0, from: directory) }
        files[ModelFile.optionsFileName] = try ModelFile.encode(saved)
        if let vocabulary = data.vocabulary { files[ModelFile.vocabularyFileName] = try ModelFile.encode(vocabulary) }
        if let normalization = data.normalization { files[ModelFile.normalizationFileName] = try ModelFile.encode(normalization) }
        return files
    }
}

/// "0.93%": a fraction as a percentage with enough digits for 1-in-10,000 resolution.
func percent(_ fraction: Double) -> String { String(format: "%.2f%%", 100 * fraction) }
