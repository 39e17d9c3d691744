import Foundation

/// The names `keel train` accepts for each choice.
public enum TrainChoices {
    /// The synthetic tasks of `--task`.
    public static let tasks = ["adding", "adding-pascanu", "multiplication", "temporal-order", "temporal-order-3bit", "copy", "permutation", "memorization"]
    /// The recurrent cells of `--cell`.
    public static let cells = ["rnn-tanh", "rnn-relu", "lstm", "gru"]
    /// The optimizers of `--optimizer`.
    public static let optimizers = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "lion"]
    /// The learning-rate schedules of `--schedule`.
    public static let schedules = ["constant", "cosine", "step", "exponential", "onecycle"]
    /// The gradient clippers of `--clip`.
    public static let clippers = ["none", "global-norm", "value", "norm", "agc", "autoclip", "zclip"]
    /// The recurrent weight initializers of `--init-recurrent`.
    public static let recurrentInitializers = ["default", "orthogonal", "glorot", "identity"]
    /// The whole-network initializers of `--init-weights`.
    public static let weightInitializers = ["default", "normal"]
    /// The monitor sets of `--monitors`.
    public static let monitorSets = ["standard", "none"]
    /// The responses of `--on-explosion`.
    public static let explosionPolicies = ["skip", "rollback", "stop", "warn"]
}

extension TrainOptions {
    /// Every problem with these options (empty when they are usable), in a stable order.
    /// `complete: false` leaves out the rules that another source may still satisfy (a
    /// checkpoint's saved options get their `checkpoint-dir` from `--resume`).
    public func problems(complete: Bool = true) -> [String] {
        var problems: [String] = []
        func choice(_ kind: String, _ value: String?, _ choices: [String]) {
            if let value, !choices.contains(value) { problems.append(unknownChoice(kind, value, choices)) }
        }
        func positive(_ name: String, _ value: Int?) {
            guard let value else { return }
            if value <= 0 { problems.append("\(name) must be > 0 (got \(value))") }
            else if value > Self.largestCount { problems.append("\(name) must be at most \(Self.largestCount) (got \(value))") }
        }
        func positive(_ name: String, _ value: Double?) {
            if let value, !(value > 0 && value.isFinite) { problems.append("\(name) must be a finite number > 0 (got \(value))") }
        }
        let sources = [task.map { _ in "--task" }, text.map { _ in "--text" }, csv.map { _ in "--csv" }, npyInputs.map { _ in "--npy-inputs" }].compactMap { $0 }
        if sources.count > 1 { problems.append("give one data source, not \(sources.joined(separator: " and "))") }
        choice("task", task, TrainChoices.tasks)
        choice("cell", cell, TrainChoices.cells)
        choice("optimizer", optimizer, TrainChoices.optimizers)
        choice("schedule", schedule, TrainChoices.schedules)
        choice("clip", clip, TrainChoices.clippers)
        choice("init-recurrent", initRecurrent, TrainChoices.recurrentInitializers)
        choice("init-weights", initWeights, TrainChoices.weightInitializers)
        choice("monitors", monitors, TrainChoices.monitorSets)
        choice("on-explosion", onExplosion, TrainChoices.explosionPolicies)
        if csv != nil && (target ?? []).isEmpty { problems.append("--csv needs --target COLUMN") }
        if csv == nil && columns != nil { problems.append("columns given without --csv") }
        if csv == nil && target != nil { problems.append("target given without --csv") }
        if (npyInputs == nil) != (npyTargets == nil) { problems.append("--npy-inputs and --npy-targets go together") }
        positive("hidden", hidden)
        positive("layers", layers)
        positive("embedding-dimension", embeddingDimension)
        positive("learning-rate", learningRate)
        positive("spectral-radius", spectralRadius)
        positive("epochs", epochs)
        positive("steps", steps)
        positive("batch-size", batchSize)
        positive("checkpoint-every", checkpointEvery)
        positive("schedule-steps", scheduleSteps)
        positive("monitor-every", monitorEvery)
        positive("init-std", initStd)
        positive("validate-every", validateEvery)
        positive("test-sequences", testSequences)
        if let testSequences, testSequences > Self.largestTestSet {
            problems.append("test-sequences must be at most \(Self.largestTestSet) (got \(testSequences); every validation evaluates all of them)")
        }
        if initWeights == "normal" {
            if initRecurrent != nil {
                problems.append("init-weights normal draws every weight, recurrent ones included; drop init-recurrent (got \(initRecurrent!))")
            }
            if spectralRadius != nil { problems.append("init-weights normal does not rescale the recurrent weights; drop spectral-radius") }
        } else if initStd != nil {
            problems.append("init-std applies to init-weights normal (got init-weights \(initWeights ?? "default"))")
        }
        if testSequences != nil && (text != nil || csv != nil || npyInputs != nil) {
            problems.append("test-sequences needs a synthetic --task (fresh sequences are generated); this run reads a file")
        }
        if let stopAtError {
            if !(stopAtError > 0 && stopAtError <= 1) { problems.append("stop-at-error must be in (0, 1] (a fraction of the test sequences; got \(stopAtError))") }
            if testSequences == nil { problems.append("stop-at-error needs test-sequences (the error rate is measured on them)") }
        }
        if bestCheckpointDir != nil && npyInputs != nil { problems.append("best-checkpoint-dir given but --npy-inputs data has no validation set") }
        if let bestCheckpointDir, let checkpointDir,
           URL(fileURLWithPath: bestCheckpointDir).standardizedFileURL == URL(fileURLWithPath: checkpointDir).standardizedFileURL {
            problems.append("best-checkpoint-dir must differ from checkpoint-dir (got \(bestCheckpointDir) for both)")
        }
        if validateEvery != nil && npyInputs != nil { problems.append("validate-every given but --npy-inputs data has no validation set") }
        positive("validation-streams", validationStreams)
        if validationStreams != nil && text == nil { problems.append("validation-streams applies to --text data") }
        if let validationFraction, !(validationFraction > 0 && validationFraction < 1) { problems.append("validation-fraction must be in (0, 1) (got \(validationFraction))") }
        if let sequenceLength, sequenceLength < 2 { problems.append("sequence-length must be ≥ 2 (got \(sequenceLength))") }
        if let dropout, !(dropout >= 0 && dropout < 1) { problems.append("dropout must be in [0, 1) (got \(dropout))") }
        if let headDropout, !(headDropout >= 0 && headDropout < 1) { problems.append("head-dropout must be in [0, 1) (got \(headDropout))") }
        if let alpha = vanishingGradientRegularizer {
            if !(alpha.isFinite && alpha >= 0) { problems.append("vanishing-gradient-regularizer must be finite and ≥ 0 (got \(alpha))") }
            if cell != "rnn-tanh" && cell != "rnn-relu" {
                problems.append("vanishing-gradient-regularizer applies to rnn-tanh and rnn-relu cells (got cell \(cell ?? "lstm"))")
            }
        }
        if let clipThreshold {
            positive("clip-threshold", clipThreshold)
            if clip == "none" { problems.append("clip-threshold given but clip is none") }
            if clip == "autoclip" && clipThreshold > 100 {
                problems.append("clip-threshold is AutoClip's percentile and must be in (0, 100] (got \(clipThreshold))")
            }
        }
        if let tbptt {
            if let (k1, k2) = Self.parseTBPTT(tbptt) {
                if k1 < 1 || k2 < 1 || k2 > k1 { problems.append("tbptt K1,K2 needs 1 ≤ K2 ≤ K1 (got \(tbptt))") }
                if bidirectional == true { problems.append("tbptt cannot be used with a bidirectional model (its backward pass needs the whole sequence)") }
            } else {
                problems.append("tbptt must be K1 or K1,K2 (got '\(tbptt)')")
            }
        }
        if complete && checkpointEvery != nil && checkpointDir == nil { problems.append("checkpoint-every given without checkpoint-dir") }
        if (initRecurrent == "identity" || initRecurrent == "glorot") && spectralRadius != nil {
            problems.append("spectral-radius applies to the default and orthogonal initializers, not \(initRecurrent!)")
        }
        if problems.isEmpty, let memory = memoryProblem(data: nil) { problems.append(memory) }
        return problems
    }

    /// The largest step count, interval or size any option takes (10¹²): far beyond any real run,
    /// and small enough that products of two of them stay far from `Int.max`.
    public static let largestCount = 1_000_000_000_000
    /// The largest `--test-sequences` (every validation evaluates all of them).
    public static let largestTestSet = 10_000_000

    static func parseTBPTT(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        switch parts.count {
        case 1: if let k = parts[0] { return (k, k) }
        case 2: if let k1 = parts[0], let k2 = parts[1] { return (k1, k2) }
        default: break
        }
        return nil
    }

    /// Throws every problem at once.
    public func validate(source: String) throws {
        let problems = problems()
        if !problems.isEmpty { throw ConfigurationError(source: source, problems: problems) }
    }
}
