import CKeelKernels

/// The right-hand operand op(B) of many GEMMs, packed once into the GEMM's panel layout: the
/// recurrent weight of a sequence is multiplied T times, and packing it at every step cost 4–9%
/// of a training step (perf, configs B and C of peers.md). Float only; other scalars multiply
/// the stored matrix. Products are bit-for-bit those of ``Tensor/addMatrixProduct(_:_:transposeA:transposeB:alpha:beta:)``.
package final class PackedMatrixOperand<Scalar: TensorScalar>: @unchecked Sendable {
    /// B as given (kept for the unpacked fallback).
    let matrix: Tensor<Scalar>
    let transposed: Bool
    /// op(B) is k × n.
    package let k: Int, n: Int
    private let packed: UnsafeMutableRawPointer?

    /// Packs op(B) = `matrix` (or its transpose), a rank-2 tensor, for the current kernel path.
    package init(_ matrix: Tensor<Scalar>, transposed: Bool = false) {
        precondition(matrix.rank == 2, "PackedMatrixOperand: needs a matrix, got shape \(matrix.shape)")
        self.matrix = matrix
        self.transposed = transposed
        let (rows, columns) = transposed ? (matrix.shape[1], matrix.shape[0]) : (matrix.shape[0], matrix.shape[1])
        (k, n) = (rows, columns)
        let bytes = Scalar.self == Float.self ? keel_sgemm_packed_b_size(rows, columns) : 0
        if bytes > 0 {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            let ldb = matrix.shape[1]
            matrix.storage.base.withMemoryRebound(to: Float.self, capacity: matrix.scalarCount) { b in
                keel_sgemm_pack_b(transposed, rows, columns, b, ldb, buffer)
            }
            packed = buffer
        } else {
            packed = nil
        }
    }

    deinit { packed?.deallocate() }

    /// c = α·a·op(B) + β·c for `a` `[m, k]` and `c` `[m, n]`.
    package func multiply(_ a: Tensor<Scalar>, into c: inout Tensor<Scalar>, alpha: Scalar = 1, beta: Scalar = 0) {
        precondition(
            a.rank == 2 && a.shape[1] == k && c.shape == [a.shape[0], n],
            "PackedMatrixOperand.multiply: shapes \(a.shape) · [\(k), \(n)] into \(c.shape)")
        c.makeUnique()
        let m = a.shape[0]
        guard m > 0 && n > 0 else { return }
        if let packed, Scalar.self == Float.self {
            let count = a.scalarCount, cCount = c.scalarCount, bCount = matrix.scalarCount
            a.storage.base.withMemoryRebound(to: Float.self, capacity: count) { aFloat in
                matrix.storage.base.withMemoryRebound(to: Float.self, capacity: bCount) { bFloat in
                    c.storage.base.withMemoryRebound(to: Float.self, capacity: cCount) { cFloat in
                        _ = keel_sgemm_prepacked(
                            false, transposed, m, n, k, Float(alpha), aFloat, k, bFloat, matrix.shape[1], packed,
                            Float(beta), cFloat, n)
                    }
                }
            }
        } else {
            Kernels.matrixMultiply(
                transposeA: false, transposeB: transposed, m: m, n: n, k: k, alpha: alpha, a: a.storage.base, lda: k,
                b: matrix.storage.base, ldb: matrix.shape[1], beta: beta, c: c.storage.base, ldc: n)
        }
    }
}
