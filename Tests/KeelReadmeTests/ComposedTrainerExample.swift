// The README's "Composing a trainer in code" example, verbatim between the markers (a test checks
// that the README shows exactly these lines).
import Keel

// README-BEGIN
/// A custom monitor: counts clipped steps from the pipeline's clip reports, warns above one half.
struct ClipRateMonitor: Monitor {
    var steps = 0, clipped = 0
    var findings: [String] = []
    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        steps += 1
        findings = clipped * 2 > steps ? ["clipped \(clipped) of \(steps) steps"] : []
        return .proceed
    }
    mutating func recordClipReports(_ reports: [TransformReport]) {
        if reports.contains(where: \.isFiredClip) { clipped += 1 }
    }
}

func trainAddingProblem(checkpoint: String) throws -> (uninterrupted: ParameterSet<Float>, resumed: ParameterSet<Float>) {
    var generator = Xoshiro256StarStar(seed: 7)
    let model = SequenceModel(
        recurrent: Recurrent(cell: LSTMCell<Float>(inputSize: 2, hiddenSize: 16, using: &generator)),
        head: Dense<Float>(inputSize: 16, outputSize: 1, generator: &generator), headOnEveryStep: false)
    let task = try AddingProblem<Float>(sequenceLength: 30, batchSize: 16, batchesPerEpoch: 10, seed: 1)
    let pipeline = Chain { GlobalNormClipper<Float>(maxNorm: 0.5); Adam<Float>(learningRate: 1e-2) }
    let monitors = MonitorSet([NonFiniteMonitor(), GradientExplosionMonitor(), ClipRateMonitor()])
    func makeTrainer() -> Trainer<SequenceModel<Recurrent<LSTMCell<Float>>>, MeanSquaredError<Float>, Chain<GlobalNormClipper<Float>, Adam<Float>>> {
        Trainer(model: model, loss: MeanSquaredError<Float>(), pipeline: pipeline, monitors: monitors,
                configuration: TrainerConfiguration(seed: 42))
    }
    var trainer = makeTrainer()
    try trainer.fit(epochs: 1, source: task)
    try trainer.saveCheckpoint(to: checkpoint)             // atomic: model, Adam moments, monitors, data cursor
    try trainer.fit(epochs: 3, source: task)
    var resumed = makeTrainer()
    try resumed.loadCheckpoint(from: checkpoint)           // ClipRateMonitor's counts come back too
    try resumed.fit(epochs: 3, source: task)               // continues at epoch 1
    print(resumed.monitors.first(ClipRateMonitor.self)!.clipped, "of", resumed.step, "steps clipped")
    return (trainer.model.parameters, resumed.model.parameters)
}
// README-END
