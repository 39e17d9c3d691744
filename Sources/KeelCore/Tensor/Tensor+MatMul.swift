// Matrix products on the GEMM kernels (blocked, packed, multithreaded; see CKeelKernels).

extension Tensor {
    /// The matrix product op(self)·op(other), where op transposes the last two axes when its flag
    /// is set.
    ///
    /// **Shapes.** `[M, K]·[K, N] → [M, N]`. Batched over a leading axis:
    /// `[B, M, K]·[B, K, N] → [B, M, N]`, and `[B, M, K]·[K, N] → [B, M, N]` (a shared right
    /// operand, such as a weight matrix applied at every time step, runs as one large GEMM).
    public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(
            (rank == 2 || rank == 3) && (other.rank == 2 || other.rank == 3) && !(rank == 2 && other.rank == 3),
            "matmul: unsupported ranks, shapes \(shape) and \(other.shape) (need [M,K]·[K,N], [B,M,K]·[B,K,N] or [B,M,K]·[K,N])")
        let (m, k) = transposeA ? (shape[rank - 1], shape[rank - 2]) : (shape[rank - 2], shape[rank - 1])
        let (k2, n) = transposeB ? (other.shape[other.rank - 1], other.shape[other.rank - 2]) : (other.shape[other.rank - 2], other.shape[other.rank - 1])
        precondition(
            k == k2,
            "matmul: inner dimensions differ, shapes \(shape) and \(other.shape) (transposeA: \(transposeA), transposeB: \(transposeB))")
        let batch = rank == 3 ? shape[0] : 1
        if other.rank == 3 {
            precondition(other.shape[0] == batch, "matmul: batch sizes differ, shapes \(shape) and \(other.shape)")
        }
        let outputShape = rank == 3 ? [batch, m, n] : [m, n]
        let a = storage.base, b = other.storage.base
        let lda = shape[rank - 1], ldb = other.shape[other.rank - 1]
        return Tensor(shape: outputShape) { output in
            guard output.count > 0 else { return }
            let c = output.baseAddress!
            if other.rank == 2 && !transposeA {
                // Every batch row shares B: one GEMM of [batch·M, K]·[K, N].
                Kernels.matrixMultiply(
                    transposeA: false, transposeB: transposeB, m: batch * m, n: n, k: k,
                    alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c, ldc: n)
                return
            }
            for index in 0..<batch {
                Kernels.matrixMultiply(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    alpha: 1, a: a + index * m * k, lda: lda,
                    b: other.rank == 3 ? b + index * k * n : b, ldb: ldb,
                    beta: 0, c: c + index * m * n, ldc: n)
            }
        }
    }

    /// self = α·op(a)·op(b) + β·self for matrices (BLAS `gemm`), in place: how layers accumulate
    /// weight gradients (`dW += xᵀ·dz` is `alpha: 1, beta: 1`) without a temporary.
    ///
    /// **Shapes.** op(a) `[M, K]`, op(b) `[K, N]`, self `[M, N]`.
    public mutating func addMatrixProduct(
        _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false, alpha: Scalar = 1, beta: Scalar = 1
    ) {
        precondition(a.rank == 2 && b.rank == 2 && rank == 2,
            "addMatrixProduct: needs matrices, shapes \(a.shape), \(b.shape) into \(shape)")
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(
            k == k2 && shape == [m, n],
            "addMatrixProduct: shapes \(a.shape) and \(b.shape) (transposeA: \(transposeA), transposeB: \(transposeB)) do not produce \(shape)")
        makeUnique()
        guard m > 0 && n > 0 else { return }
        Kernels.matrixMultiply(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            alpha: alpha, a: a.storage.base, lda: a.shape[1], b: b.storage.base, ldb: b.shape[1],
            beta: beta, c: storage.base, ldc: n)
    }
}
