import Testing
import KeelTrainer

/// Training gives the same losses and parameters, bit for bit, at every thread count (1 to 16,
/// oversubscribed on a 2-core machine): the whole-sequence kernels cut small batches into row
/// chunks × column blocks of hidden units, the GEMMs split over the pool, and every element is still
/// computed by one thread in a fixed order. Stacked layers, the token path (embedding front),
/// truncated BPTT and every built-in cell.
@Suite(.serialized) struct ThreadCountDeterminismTests {
    static let threadCounts = [1, 2, 3, 4, 7, 8, 16]

    /// Losses of four Trainer steps (global-norm clip, Adam) and the final parameters.
    struct Body<LossFunction: Loss>: RecurrentNetworkBody where LossFunction.Scalar == Float {
        typealias Scalar = Float
        typealias Result = (losses: [Double], parameters: [Tensor<Float>])
        let loss: LossFunction
        let batch: Batch<Float>
        let truncation: TruncatedBPTT?

        func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> Result where L.Scalar == Float, L.State: Sendable {
            var trainer = Trainer(
                model: model, loss: loss,
                pipeline: Chain { GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 1e-2) },
                configuration: TrainerConfiguration(seed: 1, truncatedBPTT: truncation))
            let source = OneBatch(batch: batch)
            var losses: [Double] = []
            for _ in 0..<4 {
                let result = try trainer.fit(epochs: 1, source: source, maxSteps: trainer.step + 1)
                losses.append(result.lastLoss ?? .nan)
            }
            return (losses, trainer.model.parameters.map { $0.1 })
        }
    }

    struct OneBatch: BatchSource {
        let batch: Batch<Float>
        var batchesPerEpoch: Int { 1_000 }
        func batch(epoch: Int, index: Int) -> Batch<Float> { batch }
    }

    /// Batch 19 (two row chunks at most), hidden 96: 16 threads need column blocks.
    static let steps = 8, batchSize = 19, hidden = 96, features = 6, vocabulary = 11

    static func check(cell: RecurrentCellKind, tokens: Bool, truncation: TruncatedBPTT?) throws {
        let generator = Xoshiro256StarStar(seed: 41)
        let specification = RecurrentNetworkSpecification(
            cell: cell, inputSize: features, hiddenSize: hidden, layers: 2,
            outputSize: tokens ? vocabulary : 1, headOnEveryStep: true,
            embedding: tokens ? .init(vocabularySize: vocabulary, dimension: features) : nil, seed: 5)
        let saved = Kernels.threadCount
        defer { Kernels.threadCount = saved }
        var reference: (losses: [Double], parameters: [Tensor<Float>])?
        for threads in threadCounts {
            Kernels.threadCount = threads
            let label = "\(cell) tokens \(tokens) tbptt \(String(describing: truncation)) threads \(threads)"
            var g = generator
            let result: (losses: [Double], parameters: [Tensor<Float>])
            if tokens {
                let ids = (0..<((steps + 1) * batchSize)).map { _ in Float(g.next() % UInt64(vocabulary)) }
                let batch = Batch(
                    inputs: Tensor(shape: [steps, batchSize], scalars: Array(ids[..<(steps * batchSize)])),
                    targets: Tensor(shape: [steps, batchSize], scalars: Array(ids[batchSize...])))
                result = try specification.build(Body(loss: SoftmaxCrossEntropy<Float>(), batch: batch, truncation: truncation))
            } else {
                let batch = Batch(
                    inputs: Tensor<Float>(randomNormal: [steps, batchSize, features], standardDeviation: 1, using: &g),
                    targets: Tensor<Float>(randomNormal: [steps, batchSize, 1], standardDeviation: 1, using: &g))
                result = try specification.build(Body(loss: MeanSquaredError<Float>(), batch: batch, truncation: truncation))
            }
            let finite = result.losses.allSatisfy { $0.isFinite }
            #expect(finite, "\(label): \(result.losses)")
            if let reference {
                #expect(result.losses == reference.losses, "\(label): losses \(result.losses) vs 1 thread \(reference.losses)")
                #expect(result.parameters == reference.parameters, "\(label): parameters differ from 1 thread")
            } else {
                reference = result
            }
        }
    }

    @Test func lstmStackedWithTokens() throws { try Self.check(cell: .lstm, tokens: true, truncation: nil) }
    @Test func lstmStackedTruncated() throws { try Self.check(cell: .lstm, tokens: false, truncation: TruncatedBPTT(k1: 3, k2: 2)) }
    @Test func gruStackedWithTokens() throws { try Self.check(cell: .gru, tokens: true, truncation: nil) }
    @Test func gruStackedTruncated() throws { try Self.check(cell: .gru, tokens: false, truncation: TruncatedBPTT(k1: 3)) }
    @Test func rnnStackedWithTokens() throws { try Self.check(cell: .rnnTanh, tokens: true, truncation: nil) }
    @Test func rnnStacked() throws { try Self.check(cell: .rnnTanh, tokens: false, truncation: nil) }

    /// The partition the layers above run with at 16 threads has column blocks (else this suite
    /// would not test them).
    @Test func sixteenThreadsUseColumnBlocks() {
        for cell in [Kernels.RecurrentCellKind.lstm, .gru, .rnnTanh] {
            let partition = Kernels.recurrentPartition(
                cell: cell, batchSize: Self.batchSize, inputSize: Self.hidden, hiddenSize: Self.hidden, threads: 16)
            #expect(partition.columnBlocks > 1, "\(cell): \(partition)")
        }
    }
}
