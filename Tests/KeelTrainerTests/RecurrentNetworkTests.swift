import Foundation
import Testing
import KeelTrainer

/// A character-LM-like source: inputs [T, B] token indices, targets [T, B] the next token of a
/// deterministic cyclic sequence (learnable from the current token).
struct TokenSource: BatchSource {
    var batchesPerEpoch = 6
    var timeSteps = 8
    var batchSize = 4
    var vocabulary = 5

    func batch(epoch: Int, index: Int) -> Batch<Float> {
        var generator = Xoshiro256StarStar(seed: UInt64(77 + index * 13 + epoch * 101))
        var inputs: [Float] = [], targets: [Float] = []
        let starts = (0..<batchSize).map { _ in Int(generator.next() % UInt64(vocabulary)) }
        for t in 0..<timeSteps {
            for b in 0..<batchSize {
                inputs.append(Float((starts[b] + 2 * t) % vocabulary))
                targets.append(Float((starts[b] + 2 * t + 2) % vocabulary))
            }
        }
        return Batch(
            inputs: Tensor(shape: [timeSteps, batchSize], scalars: inputs),
            targets: Tensor(shape: [timeSteps, batchSize], scalars: targets))
    }
}

/// Trains a built network and returns what the tests check.
struct TrainBody<Source: BatchSource, LossFunction: Loss>: RecurrentNetworkBody
where Source.Scalar == Float, LossFunction.Scalar == Float {
    typealias Scalar = Float
    struct Outcome {
        var parameters: ParameterSet<Float>
        var keys: [ParameterKey]
        var recurrentKeys: [ParameterKey]
        var flowKeys: [ParameterKey]
        var losses: [Double]
        var events: [TrainingEvent]
    }

    let source: Source
    let loss: LossFunction
    var monitors: MonitorSet = MonitorSet([])
    var configuration = TrainerConfiguration(seed: 9)
    var epochs = 3
    var checkpointAt: (steps: Int, path: String)? = nil

    func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> Outcome where L.Scalar == Float, L.State: Sendable {
        let memory = InMemoryEventSink()
        func make() -> Trainer<RecurrentNetwork<L>, LossFunction, Chain<GlobalNormClipper<Float>, Adam<Float>>> {
            Trainer(
                model: model, loss: loss,
                pipeline: Chain { GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 1e-2) },
                monitors: monitors, configuration: configuration, sinks: [memory])
        }
        var trainer = make()
        if let checkpointAt {
            try trainer.fit(epochs: epochs, source: source, maxSteps: checkpointAt.steps)
            try trainer.saveCheckpoint(to: checkpointAt.path)
            trainer = make()
            try trainer.loadCheckpoint(from: checkpointAt.path)
        }
        try trainer.fit(epochs: epochs, source: source)
        let losses = memory.events.compactMap { if case .stepCompleted(let record) = $0 { record.loss } else { nil } }
        return Outcome(
            parameters: trainer.model.parameters, keys: trainer.model.parameters.keys, recurrentKeys: trainer.model.recurrentWeightKeys,
            flowKeys: trainer.model.gradientFlowKeys, losses: losses, events: memory.events)
    }
}

@Suite struct RecurrentNetworkTests {
    @Test func characterLanguageModelWithEmbeddingAndStackedGRUTrains() throws {
        let specification = RecurrentNetworkSpecification(
            cell: .gru, inputSize: 0, hiddenSize: 12, layers: 2, dropout: 0.1, outputSize: 5, headOnEveryStep: true,
            embedding: .init(vocabularySize: 5, dimension: 4), seed: 1)
        let outcome = try specification.build(TrainBody(source: TokenSource(), loss: SoftmaxCrossEntropy<Float>(), epochs: 6))
        #expect(outcome.keys.first == "embedding.weight")
        #expect(outcome.keys.last == "head.bias")
        #expect(outcome.recurrentKeys == ["encoder.layer0.weightHH", "encoder.layer1.weightHH"])
        let early = outcome.losses.prefix(6).reduce(0, +), late = outcome.losses.suffix(6).reduce(0, +)
        #expect(late < early * 0.5)
    }

    @Test func bidirectionalStackRecordsOneFlowProfilePerLayer() throws {
        let specification = RecurrentNetworkSpecification(
            cell: .lstm, inputSize: 2, hiddenSize: 5, layers: 2, bidirectional: true, outputSize: 1, seed: 2)
        let body = TrainBody(
            source: SequenceSource(batchesPerEpoch: 3, timeSteps: 6).lastStep, loss: MeanSquaredError<Float>(),
            monitors: MonitorSet([GradientFlowMonitor(), RecurrentDynamicsMonitor(every: 1, nonlinearity: .sigmoid)]), epochs: 1)
        let outcome = try specification.build(body)
        #expect(outcome.recurrentKeys.count == 4)
        #expect(outcome.flowKeys == ["encoder.layer0.forward.weightHH", "encoder.layer1.forward.weightHH"])
        let flows = outcome.events.compactMap { if case .gradientFlow(let record) = $0 { record } else { nil } }
        #expect(flows.count == 3)
        #expect(flows.allSatisfy { $0.profiles.map(\.weightKey) == outcome.flowKeys && $0.profiles.allSatisfy { $0.norms.count == 6 } })
        let dynamics = outcome.events.compactMap { if case .recurrentDynamics(let record) = $0 { record } else { nil } }
        #expect(dynamics.count == 3)
        #expect(dynamics.allSatisfy { $0.layers.count == 4 && $0.layers.allSatisfy { $0.largestSingularValue != nil } })
    }

    @Test func stackedTruncatedBPTTCoveringTheSequenceEqualsFullBPTT() throws {
        for cell in RecurrentCellKind.allCases {
            let specification = RecurrentNetworkSpecification(cell: cell, inputSize: 2, hiddenSize: 4, layers: 2, outputSize: 1, headOnEveryStep: true, seed: 4)
            let full = try specification.build(TrainBody(source: SequenceSource(batchesPerEpoch: 3), loss: MeanSquaredError<Float>(), epochs: 1))
            var body = TrainBody(source: SequenceSource(batchesPerEpoch: 3), loss: MeanSquaredError<Float>(), epochs: 1)
            body.configuration = TrainerConfiguration(seed: 9, truncatedBPTT: TruncatedBPTT(k1: 6))
            let truncated = try specification.build(body)
            #expect(truncated.parameters == full.parameters, "\(cell)")
            body.configuration = TrainerConfiguration(seed: 9, truncatedBPTT: TruncatedBPTT(k1: 2))
            let windows = try specification.build(body)
            #expect(windows.parameters != full.parameters, "\(cell)")
        }
    }

    @Test func spectralRadiusIsAppliedPerGateBlock() throws {
        struct Probe: RecurrentNetworkBody {
            typealias Scalar = Float
            func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> Tensor<Float> where L.Scalar == Float, L.State: Sendable {
                try #require(model.parameters.tensor(for: "encoder.layer0.weightHH"))
            }
        }
        let weight = try RecurrentNetworkSpecification(
            cell: .lstm, inputSize: 2, hiddenSize: 6, outputSize: 1, recurrentSpectralRadius: 0.5, seed: 1).build(Probe())
        #expect(weight.shape == [24, 6])
        for gate in 0..<4 {
            let block = weight.slice((gate * 6)..<(gate * 6 + 6))
            let asDouble = Tensor<Double>(shape: block.shape, scalars: block.scalars.map(Double.init))
            #expect(abs(ScaledToSpectralRadius<Orthogonal>.estimateSpectralRadius(asDouble) - 0.5) < 1e-3)
        }
    }

    @Test func resumeWithEveryBuiltInMonitorIsBitExact() throws {
        let directory = temporaryDirectory("network-resume")
        let specification = RecurrentNetworkSpecification(
            cell: .rnnTanh, inputSize: 2, hiddenSize: 6, layers: 2, dropout: 0.2, outputSize: 1, headOnEveryStep: true, seed: 5)
        var monitors = MonitorSet.standard
        monitors.monitors += [RecurrentDynamicsMonitor(every: 3), GradientFlowMonitor()]
        var body = TrainBody(source: SequenceSource(), loss: MeanSquaredError<Float>(), monitors: monitors, epochs: 3)
        let uninterrupted = try specification.build(body)
        body.checkpointAt = (steps: 11, path: directory + "/ckpt")
        let resumed = try specification.build(body)
        #expect(resumed.parameters == uninterrupted.parameters)
        #expect(uninterrupted.losses.count == 24)
    }
}

extension SequenceSource {
    /// The same data with only the last step's target ([B, 1]).
    var lastStep: LastStepSource { LastStepSource(base: self) }
}

struct LastStepSource: BatchSource {
    var base: SequenceSource
    var batchesPerEpoch: Int { base.batchesPerEpoch }
    func batch(epoch: Int, index: Int) -> Batch<Float> {
        let batch = base.batch(epoch: epoch, index: index)
        return Batch(inputs: batch.inputs, targets: batch.targets[base.timeSteps - 1])
    }
}
