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

    /// The options saved in a checkpoint directory by an earlier `keel train`.
    public static func savedOptions(in directory: String) throws -> TrainOptions {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(ModelFile.optionsFileName).path
        guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: directory).appendingPathComponent("manifest.json").path) else {
            throw CommandError("\(directory): not a checkpoint directory (no manifest.json)")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandError("\(path): missing; --resume needs a checkpoint written by keel train")
        }
        return try TrainOptions.load(contentsOfFile: path)
    }

    /// The network the options describe, sized for `data` (defaults: LSTM, one layer of 64, an
    /// embedding of min(32, hidden) for text; spectral radius 1 for the orthogonal initializer).
    public func specification(for data: PreparedData) -> RecurrentNetworkSpecification {
        let cell: RecurrentCellKind =
            switch options.cell ?? "lstm" {
            case "rnn-tanh": .rnnTanh
            case "rnn-relu": .rnnReLU
            case "gru": .gru
            default: .lstm
            }
        let hidden = options.hidden ?? 64
        let initializer = options.initRecurrent ?? "default"
        let radius = options.spectralRadius ?? (initializer == "orthogonal" ? 1 : nil)
        var specification = RecurrentNetworkSpecification(
            cell: cell, inputSize: data.inputSize, hiddenSize: hidden, layers: options.layers ?? 1, dropout: options.dropout ?? 0,
            bidirectional: options.bidirectional ?? false, outputSize: data.outputSize, headOnEveryStep: data.headOnEveryStep,
            embedding: data.vocabulary.map { .init(vocabularySize: $0.count, dimension: options.embeddingDimension ?? min(32, hidden)) },
            recurrentSpectralRadius: radius, seed: options.seed ?? 0)
        specification.computesInputGradient = false  // the input is data: nothing needs ∂L/∂input
        return specification
    }

    /// The monitors `--monitors` and `--on-explosion` select; with `none`, only the recurrent-dynamics
    /// and gradient-flow recorders that feed the report.
    public func monitors() -> MonitorSet {
        let every = options.monitorEvery ?? 10
        let action: MonitorAction =
            switch options.onExplosion ?? "skip" {
            case "rollback": .rollback
            case "stop": .stop
            case "warn": .warn
            default: .skipUpdate
            }
        if options.monitors == "none" {
            return MonitorSet([RecurrentDynamicsMonitor(every: every, saturationThreshold: nil, hiddenGrowthThreshold: nil), GradientFlowSampler(every: every)], attributor: nil)
        }
        return MonitorSet(
            [
                NonFiniteMonitor(action: action == .warn ? .warn : (action == .skipUpdate ? .skipUpdate : action), escalateAfter: action == .skipUpdate ? 3 : nil),
                GradientExplosionMonitor(growthFactor: 100, window: 10, action: action),
                LossSpikeMonitor(action: .warn),
                VanishingGradientMonitor(),
                RecurrentDynamicsMonitor(every: every),
                GradientFlowSampler(every: every),
            ],
            attributeWarnings: true)
    }

    /// Runs training. Data errors surface before anything is written.
    @discardableResult
    public func run() throws -> TrainOutcome {
        try options.validate(source: "options")
        let data = try PreparedData.load(options)
        let specification = specification(for: data)
        write("keel train: \(data.summary)\n")
        write("model: \(specification.cell.rawValue), \(specification.layers) layer(s) × \(specification.hiddenSize)\(specification.bidirectional ? ", bidirectional" : ""); optimizer \(options.optimizer ?? "adam"), clip \(options.clip ?? "global-norm")\n")
        return try specification.build(TrainingBody(runner: self, data: data, specification: specification))
    }

    struct TrainingBody: RecurrentNetworkBody {
        typealias Scalar = Float
        let runner: TrainRunner
        let data: PreparedData
        let specification: RecurrentNetworkSpecification

        func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> TrainOutcome where L.Scalar == Float, L.State: Sendable {
            var model = model
            RecurrentInitialization.apply(runner.options.initRecurrent ?? "default", to: &model, seed: runner.options.seed ?? 0)
            switch data.loss {
            case .meanSquaredError: return try runner.execute(model: model, loss: MeanSquaredError<Float>(), data: data, specification: specification)
            case .crossEntropy: return try runner.execute(model: model, loss: SoftmaxCrossEntropy<Float>(), data: data, specification: specification)
            }
        }
    }

    func execute<M: StatefulSequenceModel, LossFunction: Loss>(
        model: M, loss: LossFunction, data: PreparedData, specification: RecurrentNetworkSpecification
    ) throws -> TrainOutcome where M.Scalar == Float, LossFunction.Scalar == Float {
        let optimizer = options.optimizer ?? "adam"
        let learningRate = options.learningRate ?? PipelineFactory.defaultLearningRate(for: optimizer)
        let perEpoch = data.source.batchesPerEpoch
        let totalSteps = options.steps ?? (options.epochs ?? 1) * perEpoch
        let epochs = options.steps != nil ? Int.max / 2 : (options.epochs ?? 1)
        let pipeline = PipelineFactory.make(
            optimizer: optimizer, learningRate: learningRate, schedule: options.schedule ?? "constant", totalSteps: totalSteps,
            clip: options.clip ?? "global-norm", threshold: options.clipThreshold)
        var configuration = TrainerConfiguration(seed: options.seed ?? 0, nominalLearningRate: learningRate)
        if let tbptt = options.tbptt, let (k1, k2) = TrainOptions.parseTBPTT(tbptt) { configuration.truncatedBPTT = TruncatedBPTT(k1: k1, k2: k2) }
        configuration.reportsAccuracy = data.loss == .crossEntropy
        configuration.spectralNormInterval = options.monitorEvery ?? 10
        var sinks: [any EventSink] = []
        if let log = options.log {
            if resume == nil { try? FileManager.default.removeItem(atPath: log) }
            sinks.append(try JSONLinesEventSink(path: log))
        }
        sinks.append(ConsoleProgressSink(totalSteps: totalSteps, every: max(1, totalSteps / 20), mode: progressMode, write: write))
        var trainer = Trainer(model: model, loss: loss, pipeline: pipeline, monitors: monitors(), configuration: configuration, sinks: sinks)
        if let resume {
            try trainer.loadCheckpoint(from: resume, transformStateDecoders: AnyTransformStateDecoders([pipeline.first, pipeline.second]))
            write("resumed from \(resume) at step \(trainer.step)\n")
        }
        var result: FitResult
        if let directory = options.checkpointDir {
            let every = options.checkpointEvery ?? max(totalSteps, 1)
            repeat {
                let next = min(totalSteps, (trainer.step / every + 1) * every)
                result = try trainer.fit(epochs: epochs, source: data.source, validation: data.validation, maxSteps: next)
                try trainer.saveCheckpoint(to: directory)
                try writeSidecars(to: directory, data: data, specification: specification)
            } while result.stopReason == .reachedMaxSteps && trainer.step < totalSteps
        } else {
            result = try trainer.fit(epochs: epochs, source: data.source, validation: data.validation, maxSteps: totalSteps)
        }
        let validation = data.validation.map { trainer.evaluate($0) }
        var summary = "finished at step \(trainer.step) (\(result.stopReason))"
        if let last = result.lastLoss { summary += "; last training loss \(shortNumber(last))" }
        if let validation {
            summary += "; validation loss \(shortNumber(validation.loss))"
            if let accuracy = validation.accuracy { summary += ", accuracy \(String(format: "%.1f%%", 100 * accuracy))" }
        }
        if let baseline = data.baselineLoss { summary += " (baseline \(shortNumber(baseline)))" }
        write(summary + "\n")
        if let directory = options.checkpointDir { write("checkpoint: \(directory)\n") }
        if let log = options.log { write("log: \(log) (render it with: keel report \(log))\n") }
        return TrainOutcome(step: trainer.step, stopReason: "\(result.stopReason)", lastLoss: result.lastLoss, validationLoss: validation?.loss)
    }

    func writeSidecars(to directory: String, data: PreparedData, specification: RecurrentNetworkSpecification) throws {
        let kind = options.text != nil ? "text" : options.csv != nil ? "csv" : options.npyInputs != nil ? "npy" : "task"
        try ModelFile.write(ModelFile(data: kind, specification: specification, sequenceLength: options.sequenceLength), to: directory, name: ModelFile.fileName)
        var saved = options
        saved.checkpointDir = options.checkpointDir.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        try ModelFile.write(saved, to: directory, name: ModelFile.optionsFileName)
        if let vocabulary = data.vocabulary { try ModelFile.write(vocabulary, to: directory, name: ModelFile.vocabularyFileName) }
        if let normalization = data.normalization { try ModelFile.write(normalization, to: directory, name: ModelFile.normalizationFileName) }
    }
}

/// Overwrites the recurrent weights W_hh (every gate block) with the named initializer.
enum RecurrentInitialization {
    static func apply<L: RecurrentSequenceLayer>(_ name: String, to model: inout RecurrentNetwork<L>, seed: UInt64) where L.Scalar == Float {
        guard name == "glorot" || name == "identity" else { return }
        var generator = Xoshiro256StarStar(seed: seed &+ 0x5EED)
        model.updateParameters { key, tensor in
            guard key.name == "weightHH" else { return }
            let hidden = tensor.shape[1], gates = tensor.shape[0] / hidden
            let blocks: [Tensor<Float>] = (0..<gates).map { _ in
                name == "identity"
                    ? ScaledIdentity().makeTensor([hidden, hidden], generator: &generator)
                    : GlorotUniform().makeTensor([hidden, hidden], generator: &generator)
            }
            tensor = gates == 1 ? blocks[0] : Tensor.concatenate(blocks)
        }
    }
}
