import Testing
import KeelCore

/// The memory-bound kernels that split large tensors over the pool (reductions, axpy, Adam) give
/// the same bits at every thread count: elementwise kernels trivially, reductions because their
/// chunks are fixed by the length (combined in chunk order), not by the threads.
@Suite(.serialized) struct ParallelElementwiseTests {
    /// 300,001 elements: 10 chunks and a ragged tail, plus a NaN-free spread of magnitudes.
    static func values(_ count: Int, seed: UInt64) -> Tensor<Float> {
        var generator = Xoshiro256StarStar(seed: seed)
        return Tensor(randomUniform: [count], lowerBound: -3, upperBound: 3, using: &generator)
    }

    static let threadCounts = [1, 2, 3, 4, 7, 8, 16]

    @Test func reductionsAreIdenticalAtEveryThreadCountAndAccurate() {
        let x = Self.values(300_001, seed: 1)
        let saved = Kernels.threadCount
        defer { Kernels.threadCount = saved }
        Kernels.threadCount = 1
        let reference = (x.sum(), x.sumOfSquares(), x.l1Norm(), x.max(), x.min(), x.lInfinityNorm())
        // Against a plain double-precision sum: chunking changes the rounding, not the accuracy.
        let exact = x.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(reference.1 - exact) <= 1e-12 * exact)
        #expect(reference.3 == x.scalars.max()! && reference.4 == x.scalars.min()!)
        for threads in Self.threadCounts {
            Kernels.threadCount = threads
            #expect(x.sum() == reference.0, "sum, \(threads) threads")
            #expect(x.sumOfSquares() == reference.1, "sum of squares, \(threads) threads")
            #expect(x.l1Norm() == reference.2, "l1, \(threads) threads")
            #expect(x.max() == reference.3 && x.min() == reference.4 && x.lInfinityNorm() == reference.5, "max/min, \(threads) threads")
        }
        var poisoned = x
        poisoned.withUnsafeMutableBufferPointer { $0[250_000] = .nan }
        Kernels.threadCount = 4
        #expect(poisoned.max().isNaN && poisoned.sum().isNaN, "a NaN in a late chunk propagates")
    }

    @Test func binaryOperationsAreIdenticalAtEveryThreadCount() {
        let x = Self.values(150_001, seed: 6), y = Self.values(150_001, seed: 7)
        let saved = Kernels.threadCount
        defer { Kernels.threadCount = saved }
        Kernels.threadCount = 1
        var scaled = x
        scaled *= 0.37  // the global-norm clip's in-place scale
        let reference = [scaled, x + y, x / y, Tensor.maximum(x, y)]
        #expect(reference[0].scalars == x.scalars.map { $0 * 0.37 })
        for threads in Self.threadCounts.dropFirst() {
            Kernels.threadCount = threads
            var again = x
            again *= 0.37
            #expect([again, x + y, x / y, Tensor.maximum(x, y)] == reference, "\(threads) threads")
        }
    }

    @Test func adamAndAXPYAreIdenticalAtEveryThreadCount() {
        let count = 200_003
        let gradient = Self.values(count, seed: 2), parameter = Self.values(count, seed: 3)
        let saved = Kernels.threadCount
        defer { Kernels.threadCount = saved }
        func step(threads: Int) -> [Float] {
            Kernels.threadCount = threads
            var update = gradient.scalars, first = Self.values(count, seed: 4).scalars, second = (Self.values(count, seed: 5) * Self.values(count, seed: 5)).scalars
            let p = parameter.scalars
            update.withUnsafeMutableBufferPointer { u in
                first.withUnsafeMutableBufferPointer { m in
                    second.withUnsafeMutableBufferPointer { v in
                        p.withUnsafeBufferPointer { pp in
                            Kernels.adamStep(
                                count: count, update: u.baseAddress!, parameter: pp.baseAddress!, firstMoment: m.baseAddress!,
                                secondMoment: v.baseAddress!, maxSecondMoment: nil, learningRate: 1e-3, beta1: 0.9, beta2: 0.999,
                                epsilon: 1e-8, weightDecay: 0.01, decoupled: true, biasCorrection1: 0.1, biasCorrection2: 0.001)
                        }
                    }
                }
            }
            var y = parameter
            y.addScaled(Tensor(shape: [count], scalars: update), by: 1)
            return update + first + second + y.scalars
        }
        let reference = step(threads: 1)
        for threads in Self.threadCounts.dropFirst() {
            #expect(step(threads: threads) == reference, "\(threads) threads")
        }
    }
}
