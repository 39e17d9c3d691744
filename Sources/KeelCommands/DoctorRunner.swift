import Foundation
import KeelCore
import KeelDoctor
import KeelLayers
import KeelMonitors
import KeelOptimizers
import KeelReport
import KeelTrainer

/// What `keel doctor` found and wrote.
public struct DoctorOutcome: Sendable {
    /// The measurements on the user's model at initialization.
    public var diagnosis: StabilityDiagnosis
    /// The measurements on the treated model (at initialization and the probes).
    public var treatedDiagnosis: StabilityDiagnosis
    /// The prescription.
    public var prescription: Prescription
    /// The prescribed options (what the JSON file holds).
    public var prescribedOptions: TrainOptions
    /// With `--verify`: the held-out loss of the user's run and of the prescribed run.
    public var verification: (user: TrainOutcome, prescribed: TrainOutcome)?
    /// Seconds from start to the prescription (without `--verify`).
    public var seconds: Double
}

/// `keel doctor`: diagnoses the set-up that `keel train` options describe, prescribes the cure,
/// writes it as a `keel train --config` file and an HTML report, and with `verifySteps` trains
/// both set-ups side by side.
///
/// Rounds: the user's model is measured at initialization; the structural prescription
/// (initialization, cell, regularizer, truncation) is applied and the treated model measured
/// again (a second structural round when that still finds something, e.g. an orthogonal tanh RNN
/// whose gradient still vanishes before the task's lag); the probes (range tests, norm probe)
/// run on the treated model and decide the optimizer, rate, schedule and clipping.
public struct DoctorRunner {
    /// The user's options (merged from `--config` and the command line).
    public var options: TrainOptions
    /// Where the prescription is written (a `keel train --config` file).
    public var prescriptionPath: String
    /// Where the HTML report is written (nil: none).
    public var reportPath: String?
    /// With a value, train the user's set-up and the prescription for this many steps each.
    public var verifySteps: Int?
    /// The time budget of the diagnosis, in seconds.
    public var timeBudget: Double
    /// Whether the prescription may change the cell.
    public var allowsCellChange: Bool
    /// The longest dependency of the task, in steps (nil: the sequence length).
    public var taskLag: Int?
    /// Console output.
    public var write: @Sendable (String) -> Void

    /// A doctor run; see the properties.
    public init(
        options: TrainOptions, prescriptionPath: String = "keel-doctor-prescription.json", reportPath: String? = "keel-doctor-report.html",
        verifySteps: Int? = nil, timeBudget: Double = 60, allowsCellChange: Bool = true, taskLag: Int? = nil,
        write: @escaping @Sendable (String) -> Void = { ConsoleProgressSink.writeToStandardOutput($0) }
    ) {
        self.options = options
        self.prescriptionPath = prescriptionPath
        self.reportPath = reportPath
        self.verifySteps = verifySteps
        self.timeBudget = timeBudget
        self.allowsCellChange = allowsCellChange
        self.taskLag = taskLag
        self.write = write
    }

    /// Runs the diagnosis, writes the prescription and the report, and verifies when asked.
    @discardableResult
    public func run() throws -> DoctorOutcome {
        try options.validate(source: "options")
        guard timeBudget > 0, timeBudget.isFinite else { throw CommandError("--time-budget must be > 0 seconds (got \(timeBudget))") }
        if let verifySteps, verifySteps < 1 { throw CommandError("--verify must be ≥ 1 steps (got \(verifySteps))") }
        if let taskLag, taskLag < 1 { throw CommandError("--task-lag must be ≥ 1 (got \(taskLag))") }
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(Int64(timeBudget * 1000))
        let data = try PreparedData.load(options)
        write("keel doctor: \(data.summary)\n")
        let setup = Self.setup(of: options, data: data)
        let policy = Prescription.Policy(allowsCellChange: allowsCellChange, alternativeOptimizers: setup.optimizer == "adam" ? [] : ["adam"])

        let diagnosis = try examine(options, data: data, probing: nil, deadline: deadline)
        var prescription = Prescription(setup: setup, diagnosis: diagnosis, policy: policy)
        var treated = try Self.apply(prescription, to: options)
        var treatedDiagnosis = diagnosis
        if prescription.changesStructure {
            treatedDiagnosis = try examine(treated, data: data, probing: nil, deadline: deadline)
            let again = Prescription(setup: Self.setup(of: treated, data: data), diagnosis: treatedDiagnosis, policy: policy)
            if again.changesStructure {
                prescription = again.merged(after: prescription)
                treated = try Self.apply(prescription, to: options)
                treatedDiagnosis = try examine(treated, data: data, probing: nil, deadline: deadline)
            }
        }
        if prescription.cell == .gated {
            (prescription, treated, treatedDiagnosis) = try chooseGatedCell(prescription, treated: treated, diagnosis: treatedDiagnosis, data: data, deadline: deadline)
        }
        let candidates = [setup.optimizer] + policy.alternativeOptimizers
        treatedDiagnosis = try examine(treated, data: data, probing: (setup, candidates), deadline: deadline)
        prescription = prescription.completed(with: treatedDiagnosis)
        let prescribed = try Self.apply(prescription, to: options)
        let elapsedTime = (ContinuousClock.now - started).components
        let elapsed = Double(elapsedTime.seconds) + Double(elapsedTime.attoseconds) * 1e-18

        write(Self.describe(diagnosis, title: "Diagnosis of your set-up at initialization"))
        if prescription.changesStructure {
            write(Self.describe(treatedDiagnosis, title: "The treated model at initialization"))
        }
        write(Self.describe(probes: treatedDiagnosis))
        write("\nPrescription (\(String(format: "%.1f", elapsed)) s of diagnosis, budget \(shortNumber(timeBudget)) s):\n")
        for item in prescription.items {
            write("  \(item.changes ? "▸" : "·") \(item.topic.rawValue): \(item.advice)\n      \(item.evidence)\n")
        }
        try Self.writeOptions(prescribed, to: prescriptionPath)
        write("\nprescription: \(prescriptionPath) (train it with: keel train --config \(prescriptionPath))\n")

        var verification: (user: TrainOutcome, prescribed: TrainOutcome)? = nil
        var runs: [RunLog] = []
        if let steps = verifySteps {
            let base = URL(fileURLWithPath: reportPath ?? prescriptionPath).deletingPathExtension().path
            var mine = options, theirs = prescribed
            mine.steps = steps; theirs.steps = steps
            mine.log = base + "-yours.jsonl"; theirs.log = base + "-prescribed.jsonl"
            mine.checkpointDir = nil; theirs.checkpointDir = nil; mine.bestCheckpointDir = nil; theirs.bestCheckpointDir = nil
            write("\nverify: your set-up, \(steps) steps\n")
            let user = try TrainRunner(options: mine, write: { _ in }).run()
            write("verify: the prescription, \(steps) steps\n")
            let treatedRun = try TrainRunner(options: theirs, write: { _ in }).run()
            verification = (user, treatedRun)
            func loss(_ outcome: TrainOutcome) -> String { outcome.validationLoss.map(shortNumber) ?? "none (\(outcome.stopReason))" }
            write("verify: held-out loss yours \(loss(user)), prescribed \(loss(treatedRun)) after \(steps) steps (same seed \(options.seed ?? 0))\n")
            runs = [try RunLog(contentsOfFile: mine.log!, name: "yours"), try RunLog(contentsOfFile: theirs.log!, name: "prescribed")]
        }
        if let reportPath {
            let section = Self.section(diagnosis: diagnosis, treated: treatedDiagnosis, prescription: prescription)
            let html = HTMLReport(title: "keel doctor", runs: runs, summaryHTML: section.render()).render()
            do {
                try Data(html.utf8).write(to: URL(fileURLWithPath: reportPath), options: .atomic)
            } catch {
                throw CommandError("\(reportPath): cannot write the report (\(error.localizedDescription))")
            }
            write("report: \(reportPath)\n")
        }
        return DoctorOutcome(
            diagnosis: diagnosis, treatedDiagnosis: treatedDiagnosis, prescription: prescription, prescribedOptions: prescribed,
            verification: verification, seconds: elapsed)
    }

    /// Measures every gated cell as the treated model's cell and keeps the one whose gradient
    /// reaches furthest back at initialization (the longest horizon, then the slowest per-step
    /// decay): the cell rule asks for memory, and this is its measurement.
    func chooseGatedCell(
        _ prescription: Prescription, treated: TrainOptions, diagnosis: StabilityDiagnosis, data: PreparedData, deadline: ContinuousClock.Instant
    ) throws -> (Prescription, TrainOptions, StabilityDiagnosis) {
        var measured: [(cell: CellChoice, options: TrainOptions, diagnosis: StabilityDiagnosis)] = [(treated.cell ?? .lstm, treated, diagnosis)]
        for cell in [CellChoice.lstm, .gru] where cell != measured[0].cell {
            var options = treated
            options.cell = cell
            measured.append((cell, options, try examine(options, data: data, probing: nil, deadline: deadline)))
        }
        func reach(_ diagnosis: StabilityDiagnosis) -> (Int, Double) {
            (diagnosis.profiles.map(\.horizonOrLowerBound).min() ?? 0, diagnosis.profiles.map(\.ratePerStep).min() ?? 0)
        }
        let best = measured.max { reach($0.diagnosis) < reach($1.diagnosis) }!
        let words = measured.map { entry in
            let (horizon, rate) = reach(entry.diagnosis)
            return "\(entry.cell.rawValue.uppercased()) \(horizon) steps (×\(shortNumber(rate)) per step)"
        }.joined(separator: ", ")
        var chosen = prescription
        chosen.choose(gatedCell: best.cell.rawValue, evidence: "Measured horizons of the treated model at initialization: \(words); \(best.cell.rawValue.uppercased()) reaches furthest.")
        return (chosen, try Self.apply(chosen, to: options), best.diagnosis)
    }

    /// Builds the model `options` describe and measures it (and probes it when `probing` is given).
    func examine(
        _ options: TrainOptions, data: PreparedData, probing: (setup: TrainingSetup, optimizers: [String])?,
        deadline: ContinuousClock.Instant
    ) throws -> StabilityDiagnosis {
        let runner = TrainRunner(options: options)
        let body = DoctorBody(
            options: options, data: data, probing: probing, deadline: deadline, taskLag: taskLag, seed: options.seed ?? 0)
        return try runner.specification(for: data).build(body)
    }

    /// The user's set-up as the prescription sees it.
    static func setup(of options: TrainOptions, data: PreparedData) -> TrainingSetup {
        let recurrence: TrainingSetup.Recurrence =
            switch options.cell ?? .lstm {
            case .rnnTanh: .tanh
            case .rnnReLU: .relu
            case .lstm, .gru: .gated
            }
        let initialization = options.initWeights == .normal ? "normal" : (options.initRecurrent ?? .default).rawValue
        let optimizer = options.optimizer ?? .adam
        return TrainingSetup(
            recurrence: recurrence, initialization: initialization,
            spectralRadius: options.spectralRadius ?? (initialization == "orthogonal" ? 1 : nil), optimizer: optimizer.rawValue,
            learningRate: options.learningRate ?? optimizer.defaultLearningRate, schedule: (options.schedule ?? .constant).rawValue,
            clips: (options.clip ?? .globalNorm) != ClipperChoice.none, truncation: options.tbptt.flatMap { TrainOptions.parseTBPTT($0)?.0 },
            vanishingGradientRegularizer: options.vanishingGradientRegularizer, outputsSequence: data.headOnEveryStep)
    }
}

/// Builds the model of a specification, applies the `--init-recurrent` choice as `keel train`
/// does, and runs the doctor on it.
struct DoctorBody: RecurrentNetworkBody {
    typealias Scalar = Float
    let options: TrainOptions
    let data: PreparedData
    let probing: (setup: TrainingSetup, optimizers: [String])?
    let deadline: ContinuousClock.Instant
    let taskLag: Int?
    let seed: UInt64

    func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> StabilityDiagnosis where L.Scalar == Float, L.State: Sendable {
        var model = model
        RecurrentWeightInitialization.apply(options.initRecurrent ?? .default, to: &model, seed: options.seed ?? 0)
        switch data.loss {
        case .meanSquaredError: return try diagnose(model, loss: MeanSquaredError<Float>())
        case .crossEntropy: return try diagnose(model, loss: SoftmaxCrossEntropy<Float>())
        }
    }

    func diagnose<M: StatefulSequenceModel, LossFunction: Loss>(_ model: M, loss: LossFunction) throws -> StabilityDiagnosis
    where M.Scalar == Float, LossFunction.Scalar == Float {
        let doctor = StabilityDoctor(
            model: model, loss: loss, source: data.source,
            configuration: .init(taskLag: taskLag, seed: seed))
        let diagnosis = doctor.examineInitialization()
        guard let probing else { return diagnosis }
        let candidates = try probing.optimizers.map { name in
            let optimizer = try OptimizerChoice(named: name, option: "optimizer")
            let rate = name == probing.setup.optimizer ? probing.setup.learningRate : optimizer.defaultLearningRate
            return OptimizerCandidate(name: name, transform: PipelineFactory.optimizer(optimizer, learningRate: rate, schedule: nil), nominalLearningRate: rate)
        }
        return try doctor.probe(diagnosis, setup: probing.setup, candidates: candidates, deadline: deadline)
    }
}
