import Foundation
import KeelTrainer

/// A deterministic sequence-regression source: inputs [T, B, 2], targets [T, B, 1]
/// (a running mix of the inputs); one batch can be poisoned with NaN.
struct SequenceSource: BatchSource {
    var batchesPerEpoch: Int = 8
    var timeSteps: Int = 6
    var batchSize: Int = 4
    var poisoned: TrainingCursor? = nil

    func batch(epoch: Int, index: Int) -> Batch<Float> {
        var generator = Xoshiro256StarStar(seed: UInt64(1000 + index * 31 + epoch * 7919))
        let count = timeSteps * batchSize * 2
        var inputs = (0..<count).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
        var targets: [Float] = []
        var running = [Float](repeating: 0, count: batchSize)
        for t in 0..<timeSteps {
            for b in 0..<batchSize {
                let x0 = inputs[(t * batchSize + b) * 2], x1 = inputs[(t * batchSize + b) * 2 + 1]
                running[b] = 0.6 * running[b] + 0.5 * x0 - 0.3 * x1
                targets.append(running[b])
            }
        }
        if poisoned == TrainingCursor(epoch: epoch, index: index) { inputs[3] = .nan }
        return Batch(
            inputs: Tensor(shape: [timeSteps, batchSize, 2], scalars: inputs),
            targets: Tensor(shape: [timeSteps, batchSize, 1], scalars: targets))
    }
}

/// Rolls back on any non-finite loss or gradient.
struct NonFiniteRollbackMonitor: Monitor {
    var seen = 0
    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        seen += 1
        return observation.hasNonFiniteValues ? .rollback(reason: "non-finite at step \(observation.step)") : .proceed
    }
}

/// Skips every update.
struct SkipEverythingMonitor: Monitor {
    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict { .skipUpdate(reason: "test") }
}

/// Records what it saw (needs gradient flow and recurrent dynamics).
struct DynamicsRecordingMonitor: Monitor {
    var sigmas: [Double] = []
    var flowLengths: [Int] = []
    var needs: ObservationNeeds { [.gradientFlow, .recurrentDynamics, .parameterNorms, .updateNorm] }
    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        for dynamics in observation.recurrentDynamics {
            if let sigma = dynamics.largestSingularValue { sigmas.append(sigma) }
            if !dynamics.gradientFlow.isEmpty { flowLengths.append(dynamics.gradientFlow.count) }
        }
        return .proceed
    }
}

/// Collects events (thread-safe; handlers are @Sendable).
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [TrainingEvent] = []
    var events: [TrainingEvent] { lock.withLock { storage } }
    var handler: @Sendable (TrainingEvent) -> Void { { [self] event in lock.withLock { storage.append(event) } } }
}

typealias TestModel = SequenceModel<SimpleRNN<Float>>

func makeModel(seed: UInt64 = 7, hidden: Int = 8) -> TestModel {
    var generator = Xoshiro256StarStar(seed: seed)
    let cell = RNNCell<Float>(inputSize: 2, hiddenSize: hidden, using: &generator)
    let head = Dense<Float>(inputSize: hidden, outputSize: 1, generator: &generator)
    return SequenceModel(recurrent: SimpleRNN(cell: cell), head: head, headOnEveryStep: true)
}

func makePipeline() -> Chain<GlobalNormClipper<Float>, Adam<Float>> {
    Chain { GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 1e-2) }
}

func makeTrainer(
    monitors: [any Monitor] = [], configuration: TrainerConfiguration = TrainerConfiguration(seed: 3),
    events: EventLog? = nil, sinks: [any EventSink] = []
) -> Trainer<TestModel, MeanSquaredError<Float>, Chain<GlobalNormClipper<Float>, Adam<Float>>> {
    Trainer(
        model: makeModel(), loss: MeanSquaredError<Float>(), pipeline: makePipeline(), monitors: monitors,
        configuration: configuration, sinks: sinks, eventHandlers: events.map { [$0.handler] } ?? [])
}

func temporaryDirectory(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "keel-trainer-tests-\(getpid())-\(name)"
    try? FileManager.default.removeItem(atPath: path)
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
