import Foundation
import KeelCore
import KeelLayers
import KeelMonitors
import KeelOptimizers
import KeelTrainer

/// Diagnoses a training set-up's stability and prescribes the cure, with evidence.
///
/// Works on any `StatefulSequenceModel` (the protocol the trainer uses for the gradient-flow
/// profile and σ_max), with any loss and batch source. Cells are reached through
/// ``RecurrentCellHost`` and read only through the `Cell` protocol (`step`, `backwardStep`) and
/// `RecurrentHiddenState`, so a third-party cell is diagnosed exactly as a built-in one.
///
/// ```swift
/// let doctor = StabilityDoctor(model: model, loss: MeanSquaredError<Float>(), source: data)
/// let (diagnosis, prescription) = try doctor.examine(
///     setup: TrainingSetup(recurrence: .tanh, optimizer: "sgd", learningRate: 0.05, clips: false),
///     candidates: [sgd, adam])
/// for item in prescription.items { print(item.topic, item.advice, item.evidence) }
/// ```
///
/// 1. **At initialization** (``examineInitialization()``, no training): σ_max of every recurrent
///    weight and Pascanu's criterion (``RecurrentWeightSpectrum``); the recurrent Jacobian's
///    spectral radius and gate saturation of every cell (``CellDynamics``); the gradient-flow
///    profile, horizon and per-step rate of every layer (``GradientFlowProfile``); for a model
///    that outputs every step, the profile of the last step's loss alone (how far back one loss
///    reaches), since the sum over every step's loss never fades.
/// 2. **Probes** (``probe(_:setup:candidates:deadline:)``, on copies, within the time budget):
///    a ``LearningRateRangeTest`` per optimizer candidate, then a ``GradientNormProbe`` at the
///    chosen rate.
/// 3. **Prescription**: ``Prescription``.
public struct StabilityDoctor<Model: StatefulSequenceModel, LossFunction: Loss, Source: BatchSource>
where LossFunction.Scalar == Model.Scalar, Source.Scalar == Model.Scalar {
    /// The element type.
    public typealias Scalar = Model.Scalar

    /// How long and how much the doctor measures.
    public struct Configuration: Sendable, Hashable {
        /// The wall-clock budget of everything (measurements at initialization and probes).
        public var timeBudget: Duration
        /// The longest dependency the task needs, in steps (nil: the sequence length).
        public var taskLag: Int?
        /// Batches averaged for the gradient-flow profile.
        public var profileBatches: Int
        /// Time steps at which each cell's Jacobian is measured.
        public var jacobianSamples: Int
        /// Vector–Jacobian products per measurement.
        public var jacobianIterations: Int
        /// Sequences of the batch used for the Jacobian (the first ones).
        public var jacobianSequences: Int
        /// Steps of each learning-rate range test.
        public var rangeTestSteps: Int
        /// The range tested, as factors of each candidate's nominal rate.
        public var rangeTestSpan: ClosedRange<Double>
        /// Steps of each learning-rate trial.
        public var trialSteps: Int
        /// Steps of the gradient-norm probe.
        public var normProbeSteps: Int
        /// The seed of the probes' forward passes and of the Jacobian's start vectors.
        public var seed: UInt64

        /// A configuration; the defaults fit a 60-second budget on 2 cores for the benchmark
        /// models (2-layer LSTM of 512 included).
        public init(
            timeBudget: Duration = .seconds(60), taskLag: Int? = nil, profileBatches: Int = 4, jacobianSamples: Int = 4,
            jacobianIterations: Int = 20, jacobianSequences: Int = 8, rangeTestSteps: Int = 100,
            rangeTestSpan: ClosedRange<Double> = 1e-3...1e3, trialSteps: Int = 1000, normProbeSteps: Int = 50, seed: UInt64 = 0
        ) {
            precondition(profileBatches >= 1 && jacobianSamples >= 1 && jacobianIterations >= 2 && jacobianSequences >= 1,
                         "StabilityDoctor.Configuration: counts must be positive (two Jacobian iterations at least)")
            precondition(rangeTestSteps >= 2 && trialSteps >= 1 && normProbeSteps >= 1 && rangeTestSpan.lowerBound > 0,
                         "StabilityDoctor.Configuration: rangeTestSteps ≥ 2, normProbeSteps ≥ 1 and a positive span")
            self.timeBudget = timeBudget
            self.taskLag = taskLag
            self.profileBatches = profileBatches
            self.jacobianSamples = jacobianSamples
            self.jacobianIterations = jacobianIterations
            self.jacobianSequences = jacobianSequences
            self.rangeTestSteps = rangeTestSteps
            self.rangeTestSpan = rangeTestSpan
            self.trialSteps = trialSteps
            self.normProbeSteps = normProbeSteps
            self.seed = seed
        }
    }

    /// The model at initialization (never changed: probes train copies).
    public var model: Model
    /// The loss.
    public var loss: LossFunction
    /// Where batches come from (epoch 0, in order).
    public var source: Source
    /// The budget and sizes.
    public var configuration: Configuration

    /// A doctor for `model` trained with `loss` on `source`.
    public init(model: Model, loss: LossFunction, source: Source, configuration: Configuration = Configuration()) {
        precondition(source.batchesPerEpoch >= 1, "StabilityDoctor: the batch source has no batches")
        self.model = model
        self.loss = loss
        self.source = source
        self.configuration = configuration
    }

    /// The batch at position `index` of the doctor's walk through epoch 0 (then 1, …).
    func batch(_ index: Int) -> Batch<Scalar> {
        source.batch(epoch: index / source.batchesPerEpoch, index: index % source.batchesPerEpoch)
    }

    /// Diagnosis, probes and prescription in one call, on this model.
    ///
    /// - Parameters:
    ///   - setup: the user's set-up (what the prescription may keep or change).
    ///   - candidates: the optimizers to range-test; the one named `setup.optimizer` is the user's.
    ///   - policy: what the rules may change.
    public func examine(
        setup: TrainingSetup, candidates: [OptimizerCandidate<Scalar>], policy: Prescription.Policy = .init()
    ) throws -> (diagnosis: StabilityDiagnosis, prescription: Prescription) {
        let deadline = ContinuousClock.now + configuration.timeBudget
        var diagnosis = examineInitialization()
        diagnosis = try probe(diagnosis, setup: setup, candidates: candidates, deadline: deadline)
        let prescription = Prescription(setup: setup, diagnosis: diagnosis, policy: policy).completed(with: diagnosis)
        return (diagnosis, prescription)
    }

    /// The measurements at initialization: no parameter changes.
    public func examineInitialization() -> StabilityDiagnosis {
        let started = ContinuousClock.now
        let parameters = model.parameters
        let weights = model.recurrentWeightKeys.compactMap { key in
            parameters.tensor(for: key).map { RecurrentWeightSpectrum(key: key.rawValue, matrix: $0) }
        }
        let first = batch(0)
        let sequenceLength = first.inputs.shape[0]
        var cells: [CellDynamics] = []
        if let host = model as? any RecurrentCellHost<Scalar> {
            let sequences = min(configuration.jacobianSequences, first.inputs.shape[1])
            cells = cellDynamics(host, inputs: first.inputs.slice(0..<sequences, alongAxis: 1))
        }
        var sums: [[Double]] = []
        var lossSum = 0.0
        for index in 0..<configuration.profileBatches {
            let batch = batch(index)
            var context = ForwardContext(mode: .inference)
            let (output, _, cache) = model.forward(batch.inputs, initialState: nil, context: &context)
            var (value, outputGradient) = loss.valueAndGradient(predictions: output, targets: batch.targets)
            lossSum += Double(value)
            if model.outputsSequence && outputGradient.rank >= 1 && outputGradient.shape[0] > 1 {
                // Every step has its own loss: keep only the last step's, so that the profile shows
                // how far back one loss reaches (with all of them it never fades).
                let steps = outputGradient.shape[0]
                let mask = Tensor<Scalar>(
                    shape: [steps] + Array(repeating: 1, count: outputGradient.rank - 1),
                    scalars: (0..<steps).map { $0 == steps - 1 ? 1 : 0 })
                outputGradient = outputGradient * mask
            }
            var gradients = parameters.zerosLike()
            var backwardContext = SequenceBackwardContext(recordsGradientFlow: true)
            _ = model.backward(outputGradient, cache: cache, gradients: &gradients, context: &backwardContext)
            let layerProfiles = backwardContext.gradientFlow
            sums = sums.isEmpty ? layerProfiles : zip(sums, layerProfiles).map { zip($0, $1).map { $0 + $1 } }
        }
        let keys = model.gradientFlowKeys
        let profiles = sums.enumerated().map { index, sum in
            GradientFlowProfile(
                layer: index < keys.count ? keys[index].rawValue : "layer\(index)",
                norms: sum.map { $0 / Double(configuration.profileBatches) })
        }
        return StabilityDiagnosis(
            recurrentWeights: weights, cells: cells, profiles: profiles, sequenceLength: sequenceLength,
            taskLag: configuration.taskLag ?? sequenceLength, initialLoss: lossSum / Double(configuration.profileBatches),
            initializationSeconds: seconds(ContinuousClock.now - started))
    }

    private func cellDynamics<Host: RecurrentCellHost>(_ host: Host, inputs: Tensor<Scalar>) -> [CellDynamics] where Host.Scalar == Scalar {
        var visitor = CellDynamicsVisitor<Scalar>(
            samples: configuration.jacobianSamples, iterations: configuration.jacobianIterations,
            generator: Xoshiro256StarStar(seed: configuration.seed ^ 0x4A41_434F_4249_414E))  // "JACOBIAN"
        _ = host.visitCells(inputs: inputs, path: "", visitor: &visitor)
        return visitor.results
    }

    /// Runs the probes on copies of the model and returns `diagnosis` with their results: a range
    /// test per candidate (together at most 25% of the time left), then trials of the user's rate
    /// and of the rates a third, a tenth, a thirtieth and a hundredth of each candidate's divergence
    /// point (its lowest-loss rate when it did not diverge) (together at most 85% of the time
    /// left), then the norm probe at the rate ``Prescription`` chooses. Each stops at `deadline`.
    public func probe(
        _ diagnosis: StabilityDiagnosis, setup: TrainingSetup, candidates: [OptimizerCandidate<Scalar>],
        deadline: ContinuousClock.Instant
    ) throws -> StabilityDiagnosis {
        let started = ContinuousClock.now
        var result = diagnosis
        let ordered = candidates.filter { $0.name == setup.optimizer } + candidates.filter { $0.name != setup.optimizer }
        let rangeEnd = started + (deadline - started) * 0.25
        for (index, candidate) in ordered.enumerated() {
            let stop = min(deadline, ContinuousClock.now + (rangeEnd - ContinuousClock.now) / (ordered.count - index))
            result.rangeTests.append(try rangeTest(candidate, until: stop))
        }
        var trials: [(candidate: OptimizerCandidate<Scalar>, rate: Double)] = []
        if let own = ordered.first(where: { $0.name == setup.optimizer }) { trials.append((own, setup.learningRate)) }
        for (candidate, test) in zip(ordered, result.rangeTests) {
            guard let edge = test.divergenceRate ?? (test.minimumLossRate.isFinite ? test.minimumLossRate : nil) else { continue }
            for divisor in [3.0, 10, 30, 100] {
                let rate = edge / divisor
                if !trials.contains(where: { $0.candidate.name == candidate.name && abs($0.rate / rate - 1) < 0.05 }) {
                    trials.append((candidate, rate))
                }
            }
        }
        // The first trial (the user's rate) calibrates: from its time per step, every trial gets
        // the step count (at most trialSteps) that fits 70% of the trials' time, so that all are
        // complete and comparable even on a loaded machine. The first trial's record is the prefix
        // of its losses: exactly what a trial of that length would have seen.
        let trialEnd = started + (deadline - started) * 0.85
        var steps = configuration.trialSteps
        for (index, trial) in trials.enumerated() {
            let trialStarted = ContinuousClock.now
            let until = index == 0 ? trialStarted + (trialEnd - trialStarted) / trials.count : trialEnd
            let outcome = try self.trial(trial.candidate, learningRate: trial.rate, steps: steps, until: until)
            if index == 0 && !outcome.losses.isEmpty {
                let perStep = (ContinuousClock.now - trialStarted) / outcome.losses.count
                let fitting = Int(((trialEnd - trialStarted) * 0.7) / (perStep * trials.count))
                // A trial that timed out caps the length at what it ran; one that diverged does not.
                steps = Swift.max(1, Swift.min(steps, fitting, outcome.timedOut ? outcome.losses.count : steps))
                result.rateTrials.append(LearningRateTrial(
                    optimizer: outcome.optimizer, learningRate: outcome.learningRate, losses: Array(outcome.losses.prefix(steps)),
                    plannedSteps: steps, timedOut: false))
            } else {
                result.rateTrials.append(outcome)
            }
        }
        let choice = Prescription.chooseRate(setup: setup, diagnosis: result)
        if let candidate = ordered.first(where: { $0.name == choice.optimizer }), ContinuousClock.now < deadline {
            result.normProbe = try normProbe(candidate, learningRate: choice.rate, until: deadline)
        }
        result.probeSeconds += seconds(ContinuousClock.now - started)
        return result
    }

    /// A short training of a copy of the model at `learningRate` for `steps` steps (see
    /// ``LearningRateTrial``).
    public func trial(
        _ candidate: OptimizerCandidate<Scalar>, learningRate: Double, steps: Int, until deadline: ContinuousClock.Instant
    ) throws -> LearningRateTrial {
        var training = ProbeTraining(model: model, loss: loss, candidate: candidate, seed: configuration.seed &+ 2)
        var losses: [Double] = []
        var timedOut = false
        var clock = StepClock()
        for step in 0..<steps {
            if !clock.allowsAnotherStep(before: deadline) { timedOut = true; break }
            defer { clock.stepEnded() }
            let measured = try training.train(on: batch(step), learningRate: learningRate)
            losses.append(measured.globalNorm.isFinite ? measured.loss : .nan)
            if !measured.loss.isFinite || !measured.globalNorm.isFinite { break }
        }
        return LearningRateTrial(
            optimizer: candidate.name, learningRate: learningRate, losses: losses, plannedSteps: steps, timedOut: timedOut)
    }

    /// A learning-rate range test of `candidate` on a copy of the model.
    public func rangeTest(_ candidate: OptimizerCandidate<Scalar>, until deadline: ContinuousClock.Instant) throws -> LearningRateRangeTest {
        var training = ProbeTraining(model: model, loss: loss, candidate: candidate, seed: configuration.seed)
        let steps = configuration.rangeTestSteps
        let low = candidate.nominalLearningRate * configuration.rangeTestSpan.lowerBound
        let high = candidate.nominalLearningRate * configuration.rangeTestSpan.upperBound
        var rates: [Double] = [], losses: [Double] = []
        var timedOut = false
        var clock = StepClock()
        for step in 0..<steps {
            if !clock.allowsAnotherStep(before: deadline) { timedOut = true; break }
            defer { clock.stepEnded() }
            let rate = low * Foundation.pow(high / low, Double(step) / Double(steps - 1))
            let measured = try training.train(on: batch(step), learningRate: rate)
            rates.append(rate)
            losses.append(measured.globalNorm.isFinite ? measured.loss : .nan)
            let partial = LearningRateRangeTest(optimizer: candidate.name, rates: rates, losses: losses, plannedSteps: steps, timedOut: false)
            if partial.divergenceRate != nil { break }
        }
        return LearningRateRangeTest(optimizer: candidate.name, rates: rates, losses: losses, plannedSteps: steps, timedOut: timedOut)
    }

    /// The gradient-norm probe of `candidate` at `learningRate` on a copy of the model, with the
    /// default explosion monitor watching.
    public func normProbe(
        _ candidate: OptimizerCandidate<Scalar>, learningRate: Double, until deadline: ContinuousClock.Instant
    ) throws -> GradientNormProbe {
        var training = ProbeTraining(model: model, loss: loss, candidate: candidate, seed: configuration.seed &+ 1)
        var monitor = GradientExplosionMonitor(action: .warn)
        var norms: [Double] = [], losses: [Double] = []
        var firings = 0
        var timedOut = false
        var clock = StepClock()
        for step in 0..<configuration.normProbeSteps {
            if !clock.allowsAnotherStep(before: deadline) { timedOut = true; break }
            defer { clock.stepEnded() }
            let measured = try training.train(on: batch(step), learningRate: learningRate)
            norms.append(measured.globalNorm)
            losses.append(measured.loss)
            let observation = StepObservation(
                step: step, epoch: 0, loss: measured.loss, learningRate: learningRate, parameterKeys: measured.keys,
                gradientNorms: measured.norms, globalGradientNorm: measured.globalNorm, nonFiniteCounts: measured.nonFinite)
            if monitor.inspect(observation) != .proceed { firings += 1 }
        }
        return GradientNormProbe(
            optimizer: candidate.name, learningRate: learningRate, norms: norms, losses: losses, explosionFirings: firings,
            plannedSteps: configuration.normProbeSteps, timedOut: timedOut)
    }
}

/// A duration in seconds.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// Keeps a loop of training steps inside a deadline: another step starts only when the longest
/// step so far would still end before the deadline.
struct StepClock {
    private var started = ContinuousClock.now
    private var longest: Duration = .zero

    /// Whether a step as long as the longest so far ends before `deadline`; marks the step's start.
    mutating func allowsAnotherStep(before deadline: ContinuousClock.Instant) -> Bool {
        started = ContinuousClock.now
        return started + longest < deadline
    }

    /// Records the step that began at the last ``allowsAnotherStep(before:)``.
    mutating func stepEnded() { longest = Swift.max(longest, ContinuousClock.now - started) }
}
