import CKeelKernels

// The element-wise, reduction, GEMM and loss kernels behind `Tensor`'s operations. `package`
// entry points: library code in this package calls them; users reach them only through `Tensor`.
// All pointers address contiguous row-major buffers; counts and strides are in elements.

extension Kernels {
    /// C = α·op(A)·op(B) + β·C for row-major matrices; `op` transposes when its flag is set.
    /// op(A) is m×k, op(B) is k×n, C is m×n. With β = 0, C is overwritten without being read.
    package static func matrixMultiply<S: TensorScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: S, a: UnsafePointer<S>, lda: Int, b: UnsafePointer<S>, ldb: Int,
        beta: S, c: UnsafeMutablePointer<S>, ldc: Int
    ) {
        switch Precision.of(S.self) {
        case .single:
            keel_sgemm(transposeA, transposeB, m, n, k, s32(alpha), f32(a), lda, f32(b), ldb, s32(beta), f32(c), ldc)
        case .double:
            keel_dgemm(transposeA, transposeB, m, n, k, s64(alpha), f64(a), lda, f64(b), ldb, s64(beta), f64(c), ldc)
        }
    }

    /// y[i] = f(x[i]) for i < count. `x` and `y` may be the same buffer.
    package static func unary<S: TensorScalar>(
        _ function: UnaryKernel, count: Int, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>
    ) {
        switch Precision.of(S.self) {
        case .single: keel_s_unary(function.cValue, count, f32(x), f32(y))
        case .double: keel_d_unary(function.cValue, count, f64(x), f64(y))
        }
    }

    /// out[i] = a[i·aStride] ∘ b[i·bStride]; a stride of 0 broadcasts one value.
    package static func binary<S: TensorScalar>(
        _ function: BinaryKernel, count: Int, _ a: UnsafePointer<S>, _ aStride: Int,
        _ b: UnsafePointer<S>, _ bStride: Int, _ out: UnsafeMutablePointer<S>
    ) {
        switch Precision.of(S.self) {
        case .single: keel_s_binary(function.cValue, count, f32(a), aStride, f32(b), bStride, f32(out))
        case .double: keel_d_binary(function.cValue, count, f64(a), aStride, f64(b), bStride, f64(out))
        }
    }

    /// out[i] = mask[i·maskStride] ≠ 0 ? a[i·aStride] : b[i·bStride]; strides are 0 (one
    /// broadcast value) or 1.
    package static func select<S: TensorScalar>(
        count: Int, mask: UnsafePointer<S>, _ maskStride: Int, _ a: UnsafePointer<S>, _ aStride: Int,
        _ b: UnsafePointer<S>, _ bStride: Int, _ out: UnsafeMutablePointer<S>
    ) {
        switch Precision.of(S.self) {
        case .single: keel_s_select(count, f32(mask), maskStride, f32(a), aStride, f32(b), bStride, f32(out))
        case .double: keel_d_select(count, f64(mask), maskStride, f64(a), aStride, f64(b), bStride, f64(out))
        }
    }

    /// y[i] = min(max(x[i], lower), upper).
    package static func clamp<S: TensorScalar>(
        count: Int, _ x: UnsafePointer<S>, lower: S, upper: S, _ y: UnsafeMutablePointer<S>
    ) {
        switch Precision.of(S.self) {
        case .single: keel_s_clamp(count, f32(x), s32(lower), s32(upper), f32(y))
        case .double: keel_d_clamp(count, f64(x), s64(lower), s64(upper), f64(y))
        }
    }

    /// y[i] = x[i] ^ exponent.
    package static func power<S: TensorScalar>(count: Int, _ x: UnsafePointer<S>, exponent: S, _ y: UnsafeMutablePointer<S>) {
        switch Precision.of(S.self) {
        case .single: keel_s_pow_scalar(count, f32(x), s32(exponent), f32(y))
        case .double: keel_d_pow_scalar(count, f64(x), s64(exponent), f64(y))
        }
    }

    /// y[i] += α·x[i].
    package static func axpy<S: TensorScalar>(count: Int, alpha: S, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>) {
        switch Precision.of(S.self) {
        case .single: keel_s_axpy(count, s32(alpha), f32(x), f32(y))
        case .double: keel_d_axpy(count, s64(alpha), f64(x), f64(y))
        }
    }

    /// Reduces x[0 ..< count] to one number, accumulating in `Double`.
    package static func reduce<S: TensorScalar>(_ reduction: ReductionKernel, count: Int, _ x: UnsafePointer<S>) -> Double {
        switch Precision.of(S.self) {
        case .single: keel_s_reduce(reduction.cValue, count, f32(x))
        case .double: keel_d_reduce(reduction.cValue, count, f64(x))
        }
    }

    /// How many of x[0 ..< count] are NaN or ±∞.
    package static func countNonFinite<S: TensorScalar>(count: Int, _ x: UnsafePointer<S>) -> Int {
        switch Precision.of(S.self) {
        case .single: keel_s_count_nonfinite(count, f32(x))
        case .double: keel_d_count_nonfinite(count, f64(x))
        }
    }

    /// The index of the largest of x[0], x[stride], …, x[(count−1)·stride]; the first on ties,
    /// the first NaN if there is one.
    package static func argmax<S: TensorScalar>(count: Int, _ x: UnsafePointer<S>, stride: Int) -> Int {
        switch Precision.of(S.self) {
        case .single: keel_s_argmax(count, f32(x), stride)
        case .double: keel_d_argmax(count, f64(x), stride)
        }
    }

    /// Softmax cross-entropy of `rows` rows of `classes` logits, fused and threaded:
    /// gradient[r, :] = scale · (softmax(logits[r, :]) − onehot(targets[r])); returns
    /// Σ_r (log Σ_j e^(x_rj − m_r) − (x_r,t − m_r)), m_r the row max, accumulated in `Double` in an
    /// order that does not depend on the thread count. A target of −1 ignores its row (zero
    /// gradient, no term); every other target must lie in 0 ..< classes.
    package static func softmaxCrossEntropy<S: TensorScalar>(
        rows: Int, classes: Int, logits: UnsafePointer<S>, targets: UnsafePointer<Int>, scale: S,
        gradient: UnsafeMutablePointer<S>
    ) -> Double {
        switch Precision.of(S.self) {
        case .single: keel_s_softmax_cross_entropy(rows, classes, f32(logits), targets, s32(scale), f32(gradient))
        case .double: keel_d_softmax_cross_entropy(rows, classes, f64(logits), targets, s64(scale), f64(gradient))
        }
    }
}
