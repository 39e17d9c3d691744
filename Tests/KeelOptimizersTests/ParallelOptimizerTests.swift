import Foundation
import KeelOptimizers
import Testing

/// Every fused optimizer kernel splits large tensors over the pool; each element is computed
/// alone, so three steps give the same bits at every thread count, and the same bits as the
/// same values held in small tensors that are never split (options that keep extra buffers on,
/// so a wrong offset into any buffer shows).
@Suite(.serialized) struct ParallelOptimizerTests {
    static let count = 200_003  // seven 32Ki-element chunks and a remainder

    static func values(_ count: Int, seed: UInt64) -> Tensor<Float> {
        var generator = Xoshiro256StarStar(seed: seed)
        return Tensor(shape: [count], scalars: (0..<count).map { _ in Float(generator.nextUnitDouble() * 4 - 2) })
    }

    /// `tensor` as one tensor, or cut into tensors of at most `piece` elements.
    static func set(_ tensor: Tensor<Float>, piece: Int?) -> ParameterSet<Float> {
        guard let piece else { return ParameterSet([("w", tensor)]) }
        let scalars = tensor.scalars
        return ParameterSet(stride(from: 0, to: scalars.count, by: piece).map { start in
            let end = min(start + piece, scalars.count)
            return (ParameterKey("w\(start)"), Tensor(shape: [end - start], scalars: Array(scalars[start..<end])))
        })
    }

    static func threeSteps<O: GradientTransform>(_ optimizer: O, threads: Int, piece: Int? = nil) throws -> [Float] where O.Scalar == Float {
        let saved = Kernels.threadCount
        defer { Kernels.threadCount = saved }
        Kernels.threadCount = threads
        var parameters = set(values(count, seed: 1), piece: piece)
        var state = optimizer.makeState(for: parameters)
        for step in 0..<3 {
            var updates = set(values(count, seed: 10 + UInt64(step)), piece: piece)
            var context = TransformContext(step: step, parameters: parameters, learningRateMultiplier: 0.5)
            try optimizer.apply(to: &updates, state: &state, context: &context)
            parameters.add(updates)
        }
        return parameters.tensors.flatMap(\.scalars)
    }

    static let optimizers: [(String, AnyGradientTransform<Float>)] = [
        ("SGD momentum nesterov decay", AnyGradientTransform(SGD<Float>(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01))),
        ("SGD plain", AnyGradientTransform(SGD<Float>(learningRate: 0.1))),
        ("RMSprop centered momentum decay", AnyGradientTransform(RMSprop<Float>(learningRate: 0.01, weightDecay: 0.01, momentum: 0.9, centered: true))),
        ("Adagrad decay", AnyGradientTransform(Adagrad<Float>(learningRate: 0.1, weightDecay: 0.01))),
        ("Lion decay", AnyGradientTransform(Lion<Float>(learningRate: 1e-3, weightDecay: 0.1))),
        ("L1", AnyGradientTransform(L1Regularization<Float>(coefficient: 0.01))),
    ]

    @Test(arguments: optimizers.indices)
    func identicalAtEveryThreadCount(index: Int) throws {
        let (name, optimizer) = Self.optimizers[index]
        // 1,000-element tensors are below the split threshold: no offsets at all.
        let reference = try Self.threeSteps(optimizer, threads: 1, piece: 1_000)
        for threads in [1, 2, 3, 7, 16] {
            #expect(try Self.threeSteps(optimizer, threads: threads) == reference, "\(name), \(threads) threads")
        }
    }
}
