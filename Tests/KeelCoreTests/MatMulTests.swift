import Testing
import KeelCore

/// Every GEMM path this CPU supports, and the portable one, against a naive Double loop.
extension KernelPathTests {
    @Suite struct MatMulTests {
        static let sizes: [(Int, Int, Int)] = [
            (1, 1, 1), (3, 3, 3), (7, 7, 7), (17, 17, 17), (33, 33, 33), (65, 65, 65), (257, 257, 257),
            (1, 33, 7), (65, 1, 17), (7, 17, 1), (3, 257, 65), (257, 3, 17), (33, 65, 257), (128, 64, 512),
        ]

        @Test(arguments: Kernels.supportedPaths)
        func floatGEMMMatchesNaiveLoop(path: Kernels.Path) {
            Kernels.withPath(path) {
                var generator = Xoshiro256StarStar(seed: 7)
                for (m, n, k) in Self.sizes {
                    for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                        check(Float.self, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                              alpha: 1, beta: 0, padding: 0, generator: &generator, path: path)
                    }
                }
                for (alpha, beta) in [(0.5, 0.0), (1.0, 1.0), (-2.0, 0.25), (0.0, 2.0)] {
                    for (transposeA, transposeB) in [(false, false), (true, true)] {
                        check(Float.self, m: 37, n: 45, k: 29, transposeA: transposeA, transposeB: transposeB,
                              alpha: Float(alpha), beta: Float(beta), padding: 3, generator: &generator, path: path)
                    }
                }
            }
        }

        @Test(arguments: Kernels.supportedPaths)
        func doubleGEMMMatchesNaiveLoop(path: Kernels.Path) {
            Kernels.withPath(path) {
                var generator = Xoshiro256StarStar(seed: 8)
                for (m, n, k) in Self.sizes {
                    for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                        check(Double.self, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                              alpha: 1, beta: 0, padding: 0, generator: &generator, path: path)
                    }
                }
                for (alpha, beta) in [(0.5, 0.0), (1.0, 1.0), (-2.0, 0.25), (0.0, 2.0)] {
                    check(Double.self, m: 31, n: 19, k: 53, transposeA: false, transposeB: true,
                          alpha: alpha, beta: beta, padding: 5, generator: &generator, path: path)
                }
            }
        }

        @Test(arguments: Kernels.supportedPaths)
        func betaZeroDoesNotReadOutput(path: Kernels.Path) {
            Kernels.withPath(path) {
                for size in [1, 5, 40] {
                    let a = [Float](repeating: 1, count: size * size)
                    var c = [Float](repeating: .nan, count: size * size)
                    a.withUnsafeBufferPointer { pa in
                        c.withUnsafeMutableBufferPointer { pc in
                            Kernels.matrixMultiply(
                                transposeA: false, transposeB: false, m: size, n: size, k: size, alpha: 1,
                                a: pa.baseAddress!, lda: size, b: pa.baseAddress!, ldb: size, beta: 0, c: pc.baseAddress!, ldc: size)
                        }
                    }
                    #expect(c.allSatisfy { $0 == Float(size) }, "path \(path), size \(size)")
                }
            }
        }

        @Test func multithreadedResultsMatchSingleThreaded() {
            var generator = Xoshiro256StarStar(seed: 3)
            let a = Tensor<Float>(randomNormal: [300, 200], using: &generator)
            let b = Tensor<Float>(randomNormal: [200, 500], using: &generator)
            let previous = Kernels.threadCount
            defer { Kernels.threadCount = previous }
            Kernels.threadCount = 1
            let single = a.matmul(b)
            Kernels.threadCount = 2
            let double = a.matmul(b)
            #expect(single.isApproximatelyEqual(to: double, relativeTolerance: 1e-5, absoluteTolerance: 1e-4))
        }

        /// Products split as row chunks, column chunks or a grid of both (the weight gradient of a
        /// small RNN, dZᵀ·[h | x | 1] with M = 128, N = 131, K = T·B, has too few panels either way
        /// for 16 threads) give the same bits at every thread count, on every kernel path.
        @Test func everyChunkingGivesTheSameBits() {
            var generator = Xoshiro256StarStar(seed: 5)
            let previous = Kernels.threadCount
            defer { Kernels.threadCount = previous }
            let shapes: [(m: Int, n: Int, k: Int, transposeA: Bool)] = [(128, 131, 2_000, true), (300, 200, 500, false), (40, 1_000, 300, false)]
            for shape in shapes {
                let a = Tensor<Float>(randomNormal: shape.transposeA ? [shape.k, shape.m] : [shape.m, shape.k], using: &generator)
                let b = Tensor<Float>(randomNormal: [shape.k, shape.n], using: &generator)
                for path in Kernels.supportedPaths {
                    Kernels.withPath(path) {
                        Kernels.threadCount = 1
                        let single = a.matmul(b, transposeA: shape.transposeA)
                        for threads in [2, 3, 5, 8, 16] {
                            Kernels.threadCount = threads
                            #expect(a.matmul(b, transposeA: shape.transposeA) == single, "\(shape) \(path) \(threads) threads")
                        }
                    }
                }
            }
        }

        @Test func tensorMatmulShapesAndBatching() {
            var generator = Xoshiro256StarStar(seed: 11)
            let a = Tensor<Double>(randomNormal: [4, 5, 6], using: &generator)
            let w = Tensor<Double>(randomNormal: [6, 3], using: &generator)
            let shared = a.matmul(w)
            #expect(shared.shape == [4, 5, 3])
            for batch in 0..<4 {
                #expect(shared[batch].isApproximatelyEqual(to: a[batch].matmul(w), relativeTolerance: 1e-12))
            }
            let b = Tensor<Double>(randomNormal: [4, 3, 6], using: &generator)
            let batched = a.matmul(b, transposeB: true)
            #expect(batched.shape == [4, 5, 3])
            for batch in 0..<4 {
                #expect(batched[batch].isApproximatelyEqual(to: a[batch].matmul(b[batch].transposed()), relativeTolerance: 1e-12))
            }
            let tA = a.matmul(Tensor<Double>(randomNormal: [4, 5, 2], using: &generator), transposeA: true)
            #expect(tA.shape == [4, 6, 2])

            var accumulator = Tensor<Double>.ones([6, 3])
            let x = Tensor<Double>(randomNormal: [5, 6], using: &generator)
            let dz = Tensor<Double>(randomNormal: [5, 3], using: &generator)
            accumulator.addMatrixProduct(x, dz, transposeA: true, alpha: 2, beta: 1)
            #expect(accumulator.isApproximatelyEqual(to: 1 + 2 * x.transposed().matmul(dz), relativeTolerance: 1e-12))
        }

        private func check<Scalar: TensorScalar>(
            _: Scalar.Type, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, alpha: Scalar, beta: Scalar,
            padding: Int, generator: inout Xoshiro256StarStar, path: Kernels.Path
        ) {
            let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
            let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
            let lda = aColumns + padding, ldb = bColumns + padding, ldc = n + padding
            let a = Tensor<Scalar>(randomUniform: [max(aRows * lda, 1)], lowerBound: -1, upperBound: 1, using: &generator).scalars
            let b = Tensor<Scalar>(randomUniform: [max(bRows * ldb, 1)], lowerBound: -1, upperBound: 1, using: &generator).scalars
            let c = Tensor<Scalar>(randomUniform: [max(m * ldc, 1)], lowerBound: -1, upperBound: 1, using: &generator).scalars
            var result = c
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    result.withUnsafeMutableBufferPointer { pc in
                        Kernels.matrixMultiply(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                            a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb, beta: beta, c: pc.baseAddress!, ldc: ldc)
                    }
                }
            }
            let expected = naiveMatrixMultiply(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: Double(alpha),
                a: a.map(Double.init), lda: lda, b: b.map(Double.init), ldb: ldb, beta: Double(beta),
                c: c.map(Double.init), ldc: ldc)
            // Error bound of a K-term dot product of values in [-1, 1]: K·ε·|α|, plus β·C rounding.
            let epsilon = Double(Scalar.ulpOfOne)
            let tolerance = (Double(k) * abs(Double(alpha)) + 2) * epsilon * 4
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<(padding > 0 ? ldc : n) {
                    let index = i * ldc + j
                    if j >= n {
                        #expect(result[index] == c[index], "GEMM wrote outside C (\(path), \(m)x\(n)x\(k))")
                        continue
                    }
                    worst = max(worst, abs(Double(result[index]) - expected[index]))
                }
            }
            #expect(
                worst <= tolerance,
                "\(Scalar.self) GEMM \(path) m=\(m) n=\(n) k=\(k) tA=\(transposeA) tB=\(transposeB) α=\(alpha) β=\(beta): error \(worst) > \(tolerance)")
        }
    }
}
