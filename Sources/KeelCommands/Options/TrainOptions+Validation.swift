import Foundation

extension TrainOptions {
    /// Every problem with these options (empty when they are usable), in a stable order.
    /// `complete: false` leaves out the rules that another source may still satisfy (a
    /// checkpoint's saved options get their `checkpoint-dir` from `--resume`).
    public func problems(complete: Bool = true) -> [String] {
        // Each option's own rule comes from its descriptor; the rules between options follow.
        var problems = Self.descriptors.compactMap { $0.problem(self) }
        let sources = [task.map { _ in "--task" }, text.map { _ in "--text" }, csv.map { _ in "--csv" }, npyInputs.map { _ in "--npy-inputs" }].compactMap { $0 }
        if sources.count > 1 { problems.append("give one data source, not \(sources.joined(separator: " and "))") }
        if csv != nil && (target ?? []).isEmpty { problems.append("--csv needs --target COLUMN") }
        if csv == nil && columns != nil { problems.append("columns given without --csv") }
        if csv == nil && target != nil { problems.append("target given without --csv") }
        if (npyInputs == nil) != (npyTargets == nil) { problems.append("--npy-inputs and --npy-targets go together") }
        if let testSequences, testSequences > Self.largestTestSet {
            problems.append("test-sequences must be at most \(Self.largestTestSet) (got \(testSequences); every validation evaluates all of them)")
        }
        if initWeights == .normal {
            if let initRecurrent {
                problems.append("init-weights normal draws every weight, recurrent ones included; drop init-recurrent (got \(initRecurrent.rawValue))")
            }
            if spectralRadius != nil { problems.append("init-weights normal does not rescale the recurrent weights; drop spectral-radius") }
        } else if initStd != nil {
            problems.append("init-std applies to init-weights normal (got init-weights \((initWeights ?? .default).rawValue))")
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
        if validationStreams != nil && text == nil { problems.append("validation-streams applies to --text data") }
        if vanishingGradientRegularizer != nil, (cell ?? .lstm).isGated {
            problems.append("vanishing-gradient-regularizer applies to rnn-tanh and rnn-relu cells (got cell \((cell ?? .lstm).rawValue))")
        }
        if let clipThreshold {
            if clip == ClipperChoice.none { problems.append("clip-threshold given but clip is none") }
            if clip == .autoclip && clipThreshold > 100 {
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
        if let initRecurrent, initRecurrent == .identity || initRecurrent == .glorot, spectralRadius != nil {
            problems.append("spectral-radius applies to the default and orthogonal initializers, not \(initRecurrent.rawValue)")
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

    /// Throws every problem at once: `earlier` ones (from reading the options, such as
    /// ``TrainOptions/parse(arguments:)``'s) first, then ``problems(complete:)``.
    ///
    /// - Throws: ``ConfigurationError`` from `source` listing them all.
    public func validate(source: String, earlier: [String] = []) throws {
        let problems = earlier + problems()
        if !problems.isEmpty { throw ConfigurationError(source: source, problems: problems) }
    }
}
