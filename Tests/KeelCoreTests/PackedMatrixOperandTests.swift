import Testing
import KeelCore

/// The pre-packed right-hand GEMM operand (the recurrent weight packed once per sequence) on every
/// kernel path: bit-for-bit the unpacked product, in both GEMM drivers (small M and blocked), with
/// K over one cache block, β = 0 and 1, one and two threads, and when the pack is stale.
extension KernelPathTests {
    @Suite struct PackedMatrixOperandTests {
        func expectSameProduct<S: TensorScalar>(_: S.Type, m: Int, k: Int, n: Int, transposed: Bool, beta: S, generator: inout Xoshiro256StarStar) {
            let a = Tensor<S>(randomUniform: [m, k], lowerBound: -1, upperBound: 1, using: &generator)
            let b = Tensor<S>(randomUniform: transposed ? [n, k] : [k, n], lowerBound: -1, upperBound: 1, using: &generator)
            let c0 = Tensor<S>(randomUniform: [m, n], lowerBound: -1, upperBound: 1, using: &generator)
            var expected = c0
            expected.addMatrixProduct(a, b, transposeB: transposed, beta: beta)
            let packed = PackedMatrixOperand(b, transposed: transposed)
            var c = c0
            packed.multiply(a, into: &c, beta: beta)
            #expect(c.scalars == expected.scalars, "m \(m) k \(k) n \(n) transposed \(transposed) beta \(beta) path \(Kernels.path)")
            // Reused: the second product with the same pack is the same again.
            var again = c0
            packed.multiply(a, into: &again, beta: beta)
            #expect(again.scalars == expected.scalars)
        }

        @Test(arguments: Kernels.supportedPaths)
        func packedProductIsTheUnpackedOne(path: Kernels.Path) {
            let previous = Kernels.threadCount
            defer { Kernels.threadCount = previous }
            Kernels.withPath(path) {
                var generator = Xoshiro256StarStar(seed: 11)
                for threads in [1, 2] {
                    Kernels.threadCount = threads
                    for (m, k, n) in [(1, 1, 1), (5, 7, 3), (32, 128, 512), (64, 300, 97), (200, 65, 130), (33, 513, 50)] {
                        for transposed in [false, true] {
                            for beta in [0, 1] as [Float] {
                                expectSameProduct(Float.self, m: m, k: k, n: n, transposed: transposed, beta: beta, generator: &generator)
                            }
                            expectSameProduct(Double.self, m: m, k: k, n: n, transposed: transposed, beta: 1, generator: &generator)
                        }
                    }
                }
            }
        }

        @Test func stalePackFallsBackToThePlainProduct() {
            var generator = Xoshiro256StarStar(seed: 12)
            let a = Tensor<Float>(randomUniform: [9, 40], lowerBound: -1, upperBound: 1, using: &generator)
            let b = Tensor<Float>(randomUniform: [40, 70], lowerBound: -1, upperBound: 1, using: &generator)
            let packed = Kernels.withPath(Kernels.bestPath) { PackedMatrixOperand(b) }
            for path in Kernels.supportedPaths {
                Kernels.withPath(path) {
                    var c = Tensor<Float>.zeros([9, 70])
                    packed.multiply(a, into: &c)
                    #expect(c.scalars == a.matmul(b).scalars, "path \(path)")
                }
            }
        }
    }
}
