import Foundation
import Testing
import KeelTrainer

/// Random batches of config B (peers.md): inputs [100, 64, 64], targets [64, 1]; a few are made
/// once and reused so that data generation does not enter the timing.
struct ConfigBSource: BatchSource {
    let batches: [Batch<Float>]
    var batchesPerEpoch: Int { 1_000_000 }

    init(count: Int = 4, timeSteps: Int = 100, batchSize: Int = 64, inputSize: Int = 64) {
        var generator = Xoshiro256StarStar(seed: 99)
        batches = (0..<count).map { _ in
            Batch(
                inputs: Tensor(shape: [timeSteps, batchSize, inputSize], scalars: (0..<(timeSteps * batchSize * inputSize)).map { _ in
                    Float(generator.nextUnitDouble() * 2 - 1)
                }),
                targets: Tensor(shape: [batchSize, 1], scalars: (0..<batchSize).map { _ in Float(generator.nextUnitDouble()) }))
        }
    }

    func batch(epoch: Int, index: Int) -> Batch<Float> { batches[index % batches.count] }
}

/// Per-step overhead of the Trainer with every built-in monitor on vs a bare hand-written loop,
/// on config B of peers.md (LSTM, 1 layer, input 64, hidden 256, batch 64, T = 100, Dense head on
/// the last step, MSE; global-norm clipping and Adam in both). Opt-in:
///
///     KEEL_BENCH=1 swift test -c release --filter TrainerOverheadBenchmark
///
/// Monitors: ``MonitorSet/standard`` (non-finite, explosion, loss spike, vanishing, norm tracker,
/// with the attributor and its ‖w‖ pass every step) plus ``GradientFlowMonitor`` (the per-step
/// ‖∂L/∂hₜ‖ profile, every step) and ``RecurrentDynamicsMonitor`` (σ_max by power iteration,
/// every 10 steps); an ``InMemoryEventSink`` receives the events; rollback snapshots every 10
/// steps. Steps alternate between the two loops; medians of the per-step wall times are compared.
@Suite struct TrainerOverheadBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KEEL_BENCH"] == "1"))
    func trainerOverheadOnConfigB() throws {
        let rounds = Int(ProcessInfo.processInfo.environment["KEEL_BENCH_ROUNDS"] ?? "") ?? 20
        var generator = Xoshiro256StarStar(seed: 1)
        let cell = LSTMCell<Float>(inputSize: 64, hiddenSize: 256, using: &generator)
        let head = Dense<Float>(inputSize: 256, outputSize: 1, generator: &generator)
        let model = SequenceModel(recurrent: Recurrent(cell: cell), head: head, headOnEveryStep: false)
        let source = ConfigBSource()
        func pipeline() -> Chain<GlobalNormClipper<Float>, Adam<Float>> {
            Chain { GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 1e-3) }
        }

        var monitors = MonitorSet.standard
        monitors.monitors += [GradientFlowMonitor(), RecurrentDynamicsMonitor(every: 10, nonlinearity: .sigmoid)]
        let sink = InMemoryEventSink()
        var trainer = Trainer(
            model: model, loss: MeanSquaredError<Float>(), pipeline: pipeline(), monitors: monitors,
            configuration: TrainerConfiguration(seed: 1), sinks: [sink])

        // The bare loop: forward, loss, backward, clip + Adam, update.
        var bareModel = model
        let barePipeline = pipeline()
        var bareState = barePipeline.makeState(for: bareModel.parameters)
        let loss = MeanSquaredError<Float>()
        var bareStep = 0
        func bare() throws {
            let batch = source.batch(epoch: 0, index: bareStep)
            var context = ForwardContext(mode: .training)
            let (output, cache) = bareModel.forward(batch.inputs, context: &context)
            let (_, gradient) = loss.valueAndGradient(predictions: output, targets: batch.targets)
            var gradients = bareModel.parameters.zerosLike()
            _ = bareModel.backward(gradient, cache: cache, gradients: &gradients)
            var transformContext = TransformContext(step: bareStep, parameters: bareModel.parameters)
            try barePipeline.apply(to: &gradients, state: &bareState, context: &transformContext)
            bareModel.applyUpdate(gradients, scaledBy: 1)
            bareStep += 1
        }
        func time(_ body: () throws -> Void) rethrows -> Double {
            let start = ContinuousClock.now
            try body()
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }

        for _ in 0..<2 {
            try bare()
            try trainer.fit(epochs: 1, source: source, maxSteps: trainer.step + 1)
        }
        var trainerTimes: [Double] = [], bareTimes: [Double] = []
        for round in 0..<rounds {
            if round % 2 == 0 {
                bareTimes.append(try time { try bare() })
                trainerTimes.append(try time { try trainer.fit(epochs: 1, source: source, maxSteps: trainer.step + 1) })
            } else {
                trainerTimes.append(try time { try trainer.fit(epochs: 1, source: source, maxSteps: trainer.step + 1) })
                bareTimes.append(try time { try bare() })
            }
        }
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let trainerMedian = median(trainerTimes), bareMedian = median(bareTimes)
        print(String(
            format: "TrainerOverheadBenchmark (config B, %d rounds): trainer median %.2f ms/step, bare loop median %.2f ms/step, ratio %.4f (overhead %+.2f%%)",
            rounds, trainerMedian * 1e3, bareMedian * 1e3, trainerMedian / bareMedian, (trainerMedian / bareMedian - 1) * 100))
        let fired = sink.events.compactMap { if case .monitorFired(let record) = $0 { record.monitor } else { nil } }
        print("TrainerOverheadBenchmark: monitor firings (warnings) during the run: \(fired.count) \(Set(fired).sorted())")
        #expect(trainer.step == rounds + 2)
    }
}
