/// The generator shared by ``CopyTask`` and ``NoiselessMemorizationProblem``: a one-hot pattern,
/// blanks, a cue symbol, and the pattern replayed over the last `patternLength` steps.
///
/// With n = `patternLength` and D = `delay`, a sequence has D + 2n steps: the pattern (uniform on
/// the `symbolCount` data symbols) at steps 0 … n − 1, then blanks (symbol `symbolCount`) except
/// for the cue (symbol `symbolCount` + 1) `cueLead` steps before the replay starts at D + n.
/// Targets are blank up to the replay, then the pattern in order. The two problems differ only in
/// `cueLead` and in the names of their parameters.
struct PatternReplayTask {
    /// D: blank steps between the pattern and the replay, the cue included.
    let delay: Int
    /// Number of data symbols.
    let symbolCount: Int
    /// n: symbols in the pattern.
    let patternLength: Int
    let batchSize: Int
    let seed: UInt64
    /// Steps from the cue to the first replayed symbol: 1 for the copy task's delimiter, 0 for
    /// the memorization problem's trigger (the replay starts on it).
    let cueLead: Int

    /// Checks the counts, then `delay` ≥ 1, `symbolCount` ≥ 2 and `patternLength` ≥ 1, naming each
    /// by the public parameter it came from.
    static func validate(
        delay: Int, symbolCount: (name: String, value: Int), patternLength: (name: String, value: Int),
        batchSize: Int, batchesPerEpoch: Int
    ) throws {
        try SyntheticTaskValidation.check(batchSize: batchSize, batchesPerEpoch: batchesPerEpoch)
        guard delay >= 1 else { throw DataConfigurationError(parameter: "delay", reason: "must be at least 1, got \(delay)") }
        guard symbolCount.value >= 2 else {
            throw DataConfigurationError(parameter: symbolCount.name, reason: "must be at least 2, got \(symbolCount.value)")
        }
        guard patternLength.value >= 1 else {
            throw DataConfigurationError(parameter: patternLength.name, reason: "must be at least 1, got \(patternLength.value)")
        }
    }

    /// D + 2n: the length of every sequence.
    var sequenceLength: Int { delay + 2 * patternLength }

    /// n·ln(symbolCount)/(D + 2n): blank where the target is blank, uniform guesses during the replay.
    var baselineLoss: Double {
        Double(patternLength) * portableLog(Double(symbolCount)) / Double(sequenceLength)
    }

    /// The batch at (`epoch`, `index`): inputs `[D + 2n, batch, symbolCount + 2]`, targets
    /// `[D + 2n, batch]`.
    func batch<Scalar: TensorScalar>(epoch: Int, index: Int) -> Batch<Scalar> {
        var generator = BatchSeed.generator(seed: seed, epoch: epoch, index: index)
        let length = sequenceLength
        let blank = symbolCount, cue = symbolCount + 1
        let replayStart = delay + patternLength
        let cueStep = replayStart - cueLead
        var buffer = SequenceBuffer(time: length, batch: batchSize, features: symbolCount + 2, targetCount: length * batchSize)
        for b in 0..<batchSize {
            for step in 0..<length {
                buffer.targets[step * batchSize + b] = Double(blank)
            }
            for step in 0..<patternLength {
                let symbol = Shuffler.uniformInteger(below: symbolCount, using: &generator)
                buffer.setOneHot(step, b, symbol: symbol)
                buffer.targets[(replayStart + step) * batchSize + b] = Double(symbol)
            }
            for step in patternLength..<length {
                buffer.setOneHot(step, b, symbol: step == cueStep ? cue : blank)
            }
        }
        return buffer.makeBatch(targetShape: [length, batchSize])
    }
}
