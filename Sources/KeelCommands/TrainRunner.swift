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
        // With test sequences or a best checkpoint the runner validates itself (between fit calls),
        // so that one validation event carries the error rate and the best weights can be saved.
        // The trainer's trainingFinished events (one per fit call, so one per checkpoint interval)
        // are held back: the runner writes the one true finish at the end.
        let evaluator =
            data.test != nil || (options.bestCheckpointDir != nil && data.validation != nil)
            ? RunnerValidation(test: data.test, validation: data.validation, every: options.validateEvery ?? perEpoch) : nil
        let outlet = FinishHoldingSink(sinks, holdsFinish: true)
        var trainer = Trainer(model: model, loss: loss, pipeline: pipeline, monitors: monitors(), configuration: configuration, sinks: [outlet])
        trainer.collective = collective
        if let resume {
            try trainer.loadCheckpoint(from: resume, transformStateDecoders: AnyTransformStateDecoders([pipeline.first, pipeline.second]))
            write("resumed from \(resume) at step \(trainer.step)\n")
        }
        var result: FitResult
        var solvedAt: Int? = nil
        var diverged: String? = nil
        var lastTest: (step: Int, metrics: RunnerMetrics)? = nil
        var best: (loss: Double, step: Int)? = nil
        let checkpointEvery = options.checkpointDir.map { _ in options.checkpointEvery ?? max(totalSteps, 1) }
        if evaluator == nil && checkpointEvery == nil {
            result = try trainer.fit(epochs: epochs, source: data.source, validation: data.validation, maxSteps: totalSteps)
        } else {
            repeat {
                var next = totalSteps
                for interval in [evaluator?.every, checkpointEvery].compactMap({ $0 }) {
                    next = min(next, (trainer.step / interval + 1) * interval)
                }
                result = try trainer.fit(
                    epochs: epochs, source: data.source, validation: evaluator == nil ? data.validation : nil, maxSteps: next)
                let finished = result.stopReason != .reachedMaxSteps || trainer.step >= totalSteps
                if let evaluator, trainer.step % evaluator.every == 0 || finished, lastTest?.step != trainer.step {
                    let metrics = evaluator.evaluate(trainer)
                    lastTest = (trainer.step, metrics)
                    // The epoch of the last batch trained (the cursor may already point at the next epoch).
                    let epoch = trainer.cursor.index == 0 ? max(0, trainer.cursor.epoch - 1) : trainer.cursor.epoch
                    try outlet.forward(.validation(ValidationRecord(step: trainer.step, epoch: epoch, metrics: metrics.record)))
                    if let target = options.stopAtError, let rate = metrics.errorRate, rate < target { solvedAt = trainer.step }
                    if let directory = options.bestCheckpointDir, let loss = metrics.validation?.loss, loss < (best?.loss ?? .infinity) {
                        do {
                            try saveCheckpoint(of: trainer, to: directory, data: data, specification: specification, scheduleSteps: scheduleSteps)
                            best = (loss, trainer.step)
                        } catch CheckpointError.nonFiniteWeights(_, let key) {
                            diverged = key
                        }
                    }
                }
                if diverged == nil, let directory = options.checkpointDir, let every = checkpointEvery,
                   trainer.step % every == 0 || finished || solvedAt != nil {
                    do {
                        try saveCheckpoint(of: trainer, to: directory, data: data, specification: specification, scheduleSteps: scheduleSteps)
                    } catch CheckpointError.nonFiniteWeights(_, let key) {
                        diverged = key
                    }
                }
                if solvedAt != nil || diverged != nil { break }
            } while result.stopReason == .reachedMaxSteps && trainer.step < totalSteps
        }
        if diverged == nil, let key = trainer.model.parameters.first(where: { $0.1.nonFiniteCount > 0 })?.0 { diverged = key.rawValue }
        let validation = diverged == nil ? data.validation.map { trainer.evaluate($0) } : nil
        // Finite but useless weights (a learning rate of 1e18, or an unclipped explosion that
        // skipping could not stop): the held-out loss says so, non-finite or a million times the
        // best constant prediction's.
        var lossDiverged = false
        if let loss = validation?.loss { lossDiverged = !loss.isFinite || loss > 1e6 * (data.baselineLoss ?? .infinity) }
        let status = TrainExitStatus(stopReason: result.stopReason, solved: solvedAt != nil, nonFiniteWeights: diverged != nil, lossDiverged: lossDiverged)
        lossDiverged = lossDiverged && status == .diverged && diverged == nil  // a monitor's stop says more
        let finish: FinishRecord
        if let solvedAt, let target = options.stopAtError, let rate = lastTest?.metrics.errorRate {
            finish = FinishRecord(
                step: trainer.step, reason: "targetErrorRate",
                detail: "solved: test error rate \(percent(rate)) < \(percent(target)) at step \(solvedAt)")
        } else if let diverged {
            finish = FinishRecord(step: trainer.step, reason: "diverged", detail: "the weights are non-finite (first: \(diverged))")
        } else if lossDiverged {
            finish = FinishRecord(step: trainer.step, reason: "diverged", detail: "the validation loss is \(shortNumber(validation?.loss ?? .nan))")
        } else {
            finish = FinishRecord(step: trainer.step, reason: result.stopReason.eventName, detail: result.stopReason.description)
        }
        try outlet.forward(.trainingFinished(finish))
        try outlet.flush()
        var summary = "finished at step \(trainer.step) (\(solvedAt != nil ? "solved" : status.summary(stopReason: result.stopReason, onExplosion: options.onExplosion ?? .skip)))"
        if let last = result.lastLoss { summary += "; last training loss \(shortNumber(last))" }
        if let validation {
            summary += "; validation loss \(shortNumber(validation.loss))"
            if let accuracy = validation.accuracy { summary += ", accuracy \(String(format: "%.1f%%", 100 * accuracy))" }
        }
        if let baseline = data.baselineLoss { summary += " (baseline \(shortNumber(baseline)))" }
        var testErrorRate: Double? = nil
        if let test = data.test, let rate = lastTest?.metrics.errorRate {
            testErrorRate = rate
            let wrong = Int((rate * Double(test.count)).rounded())
            summary += "; test error rate \(percent(rate)) (\(wrong) of \(test.count) fresh sequences with \(test.criterion.summary))"
            if let solvedAt { summary += "; solved at step \(solvedAt)" }
            else if let target = options.stopAtError { summary += "; not solved (target < \(percent(target)))" }
        }
        write(summary + "\n")
        if lossDiverged {
            write("the model diverged: its validation loss is \(shortNumber(validation?.loss ?? .nan))\(data.baselineLoss.map { " (the best constant prediction's is \(shortNumber($0)))" } ?? ""); clip the gradients or lower the learning rate\n")
        }
        if let diverged {
            write("weights: \(diverged) holds NaN or infinite values\(options.onExplosion == .warn ? " (--on-explosion warn lets non-finite updates through)" : ""); no checkpoint was written with them\((options.checkpointDir ?? options.bestCheckpointDir).map { ", \($0) keeps the last finite one if any" } ?? "")\n")
        } else if let directory = options.checkpointDir {
            write("checkpoint: \(directory)\n")
        }
        if let directory = options.bestCheckpointDir, let best {
            write("best validation loss \(shortNumber(best.loss)) at step \(best.step): \(directory)\n")
        }
        if let log = options.log { write("log: \(log) (render it with: keel report \(log))\n") }
        if status != .success { write("exit status \(status.rawValue): \(status.meaning)\n") }
        return TrainOutcome(
            step: trainer.step, stopReason: solvedAt != nil ? "solved" : diverged != nil || lossDiverged ? "diverged" : "\(result.stopReason)", lastLoss: result.lastLoss,
            validationLoss: validation?.loss, testErrorRate: testErrorRate, solvedAtStep: solvedAt, bestValidation: best, exitStatus: status)
    }

    /// The trainer's checkpoint in `directory` with the files `keel sample`, `keel evaluate` and
    /// `--resume` read beside it (`model.json`, the options, the vocabulary or normalization), all
    /// written and checksummed as one unit.
    func saveCheckpoint<Model: Layer, LossFunction: Loss, Pipeline: GradientTransform>(
        of trainer: Trainer<Model, LossFunction, Pipeline>, to directory: String, data: PreparedData,
        specification: RecurrentNetworkSpecification, scheduleSteps: Int
    ) throws where Model.Scalar == Float {
        guard collective.rank == 0 else { return }
        try trainer.saveCheckpoint(to: directory, extraFiles: sidecars(for: directory, data: data, specification: specification, scheduleSteps: scheduleSteps))
    }

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

/// One validation of the runner: the validation set's metrics and the test sequences' loss and
/// error rate, each when measured.
struct RunnerMetrics {
    var validation: ValidationMetrics?
    var testLoss: Double?
    /// The fraction of the test sequences the task's criterion judges wrong.
    var errorRate: Double?

    /// The metrics as the event log spells them (`loss`, `accuracy`, `testLoss`, `errorRate`).
    var record: [String: Double] {
        var values: [String: Double] = [:]
        values["loss"] = validation?.loss
        values["accuracy"] = validation?.accuracy
        values["testLoss"] = testLoss
        values["errorRate"] = errorRate
        return values
    }
}

/// The runner's own validation when `--test-sequences` or `--best-checkpoint-dir` is given: the
/// validation set's loss (and accuracy), then any test sequences' loss and error rate.
struct RunnerValidation {
    let test: PreparedData.TestSequences?
    let validation: AnyBatchSource<Float>?
    /// Steps between evaluations.
    let every: Int

    /// The validation set's metrics as the trainer measures them, plus the test sequences' mean
    /// loss and error rate.
    func evaluate<Model: Layer, LossFunction: Loss, Pipeline: GradientTransform>(
        _ trainer: Trainer<Model, LossFunction, Pipeline>
    ) -> RunnerMetrics where Model.Scalar == Float {
        var metrics = RunnerMetrics(validation: validation.map { trainer.evaluate($0) })
        guard let test else { return metrics }
        var wrong = 0
        var lossSum = 0.0
        var model = trainer.model
        for index in 0..<test.source.batchesPerEpoch {
            let batch = test.source.batch(epoch: 0, index: index)
            var context = ForwardContext(mode: .inference)
            let output = model.forward(batch.inputs, context: &context).output
            lossSum += Double(trainer.loss.value(predictions: output, targets: batch.targets))
            wrong += test.criterion.wrongCount(predictions: output, targets: batch.targets)
        }
        metrics.testLoss = lossSum / Double(max(1, test.source.batchesPerEpoch))
        metrics.errorRate = Double(wrong) / Double(test.count)
        return metrics
    }
}

/// Forwards every event to its sinks, except that it can hold back the trainer's
/// `trainingFinished` events (one per `fit` call) so that the runner writes a single one.
final class FinishHoldingSink: EventSink {
    private let sinks: [any EventSink]
    private let holdsFinish: Bool

    init(_ sinks: [any EventSink], holdsFinish: Bool) {
        self.sinks = sinks
        self.holdsFinish = holdsFinish
    }

    func receive(_ event: TrainingEvent) throws {
        if holdsFinish, case .trainingFinished = event { return }
        try forward(event)
    }

    /// Delivers `event` to every sink (even after one throws); the first error is rethrown.
    func forward(_ event: TrainingEvent) throws {
        var firstError: (any Error)?
        for sink in sinks {
            do { try sink.receive(event) } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }

    func flush() throws {
        var firstError: (any Error)?
        for sink in sinks {
            do { try sink.flush() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }
}

/// Overwrites the recurrent weights W_hh (every gate block) with the `--init-recurrent` choice
/// (`default` and `orthogonal` are applied by the network specification instead).
enum RecurrentWeightInitialization {
    static func apply<L: RecurrentSequenceLayer>(_ choice: RecurrentInitializerChoice, to model: inout RecurrentNetwork<L>, seed: UInt64) where L.Scalar == Float {
        switch choice {
        case .default, .orthogonal: return
        case .glorot, .identity: break
        }
        var generator = Xoshiro256StarStar(seed: seed &+ 0x5EED)
        model.updateParameters { key, tensor in
            guard key.name == "weightHH" else { return }
            let hidden = tensor.shape[1], gates = tensor.shape[0] / hidden
            let blocks: [Tensor<Float>] = (0..<gates).map { _ in
                choice == .identity
                    ? ScaledIdentity().makeTensor([hidden, hidden], generator: &generator)
                    : GlorotUniform().makeTensor([hidden, hidden], generator: &generator)
            }
            tensor = gates == 1 ? blocks[0] : Tensor.concatenate(blocks)
        }
    }
}
