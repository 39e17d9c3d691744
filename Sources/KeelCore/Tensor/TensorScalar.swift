import CKeelKernels

/// A floating-point type a ``Tensor`` can hold: `Float` (what training uses) or `Double` (what
/// gradient checks and conformance suites use).
///
/// The static requirements are the kernels' Swift face: every hot loop of Keel runs inside one of
/// them, in concrete `Float`/`Double` code (C kernels with run-time CPU dispatch), so generic code
/// such as `Tensor<Scalar>.+` pays one witness call per buffer, never one per element.
/// All pointers address contiguous row-major buffers; counts and strides are in elements.
public protocol TensorScalar: BinaryFloatingPoint, Codable, Sendable, LosslessStringConvertible
where RawSignificand: FixedWidthInteger {
    /// C = α·op(A)·op(B) + β·C for row-major matrices; `op` transposes when its flag is set.
    /// op(A) is m×k, op(B) is k×n, C is m×n. With β = 0, C is overwritten without being read.
    static func kernelMatrixMultiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// y[i] = f(x[i]) for i < count. `x` and `y` may be the same buffer.
    static func kernelUnary(_ function: UnaryKernel, count: Int, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>)

    /// out[i] = a[i·aStride] ∘ b[i·bStride]; a stride of 0 broadcasts one value.
    static func kernelBinary(
        _ function: BinaryKernel, count: Int, _ a: UnsafePointer<Self>, _ aStride: Int,
        _ b: UnsafePointer<Self>, _ bStride: Int, _ out: UnsafeMutablePointer<Self>)

    /// out[i] = mask[i·maskStride] ≠ 0 ? a[i·aStride] : b[i·bStride]; strides are 0 (one
    /// broadcast value) or 1.
    static func kernelSelect(
        count: Int, mask: UnsafePointer<Self>, _ maskStride: Int, _ a: UnsafePointer<Self>, _ aStride: Int,
        _ b: UnsafePointer<Self>, _ bStride: Int, _ out: UnsafeMutablePointer<Self>)

    /// y[i] = min(max(x[i], lower), upper).
    static func kernelClamp(count: Int, _ x: UnsafePointer<Self>, lower: Self, upper: Self, _ y: UnsafeMutablePointer<Self>)

    /// y[i] = x[i] ^ exponent.
    static func kernelPower(count: Int, _ x: UnsafePointer<Self>, exponent: Self, _ y: UnsafeMutablePointer<Self>)

    /// y[i] += α·x[i].
    static func kernelAXPY(count: Int, alpha: Self, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>)

    /// Reduces x[0 ..< count] to one number, accumulating in `Double`.
    static func kernelReduce(_ reduction: ReductionKernel, count: Int, _ x: UnsafePointer<Self>) -> Double

    /// How many of x[0 ..< count] are NaN or ±∞.
    static func kernelCountNonFinite(count: Int, _ x: UnsafePointer<Self>) -> Int

    /// The index of the largest of x[0], x[stride], …, x[(count−1)·stride]; the first on ties,
    /// the first NaN if there is one.
    static func kernelArgmax(count: Int, _ x: UnsafePointer<Self>, stride: Int) -> Int

    /// Softmax cross-entropy of `rows` rows of `classes` logits, fused and threaded:
    /// gradient[r, :] = scale · (softmax(logits[r, :]) − onehot(targets[r])); returns
    /// Σ_r (log Σ_j e^(x_rj − m_r) − (x_r,t − m_r)), m_r the row max, accumulated in `Double` in an
    /// order that does not depend on the thread count. A target of −1 ignores its row (zero
    /// gradient, no term); every other target must lie in 0 ..< classes.
    static func kernelSoftmaxCrossEntropy(
        rows: Int, classes: Int, logits: UnsafePointer<Self>, targets: UnsafePointer<Int>, scale: Self,
        gradient: UnsafeMutablePointer<Self>) -> Double
}

extension Float: TensorScalar {
    public static func kernelMatrixMultiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        keel_sgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    public static func kernelUnary(_ function: UnaryKernel, count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        keel_s_unary(function.cValue, count, x, y)
    }

    public static func kernelBinary(
        _ function: BinaryKernel, count: Int, _ a: UnsafePointer<Float>, _ aStride: Int,
        _ b: UnsafePointer<Float>, _ bStride: Int, _ out: UnsafeMutablePointer<Float>
    ) {
        keel_s_binary(function.cValue, count, a, aStride, b, bStride, out)
    }

    public static func kernelSelect(
        count: Int, mask: UnsafePointer<Float>, _ maskStride: Int, _ a: UnsafePointer<Float>, _ aStride: Int,
        _ b: UnsafePointer<Float>, _ bStride: Int, _ out: UnsafeMutablePointer<Float>
    ) {
        keel_s_select(count, mask, maskStride, a, aStride, b, bStride, out)
    }

    public static func kernelClamp(count: Int, _ x: UnsafePointer<Float>, lower: Float, upper: Float, _ y: UnsafeMutablePointer<Float>) {
        keel_s_clamp(count, x, lower, upper, y)
    }

    public static func kernelPower(count: Int, _ x: UnsafePointer<Float>, exponent: Float, _ y: UnsafeMutablePointer<Float>) {
        keel_s_pow_scalar(count, x, exponent, y)
    }

    public static func kernelAXPY(count: Int, alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        keel_s_axpy(count, alpha, x, y)
    }

    public static func kernelReduce(_ reduction: ReductionKernel, count: Int, _ x: UnsafePointer<Float>) -> Double {
        keel_s_reduce(reduction.cValue, count, x)
    }

    public static func kernelSoftmaxCrossEntropy(
        rows: Int, classes: Int, logits: UnsafePointer<Float>, targets: UnsafePointer<Int>, scale: Float,
        gradient: UnsafeMutablePointer<Float>
    ) -> Double {
        keel_s_softmax_cross_entropy(rows, classes, logits, targets, scale, gradient)
    }

    public static func kernelCountNonFinite(count: Int, _ x: UnsafePointer<Float>) -> Int {
        keel_s_count_nonfinite(count, x)
    }

    public static func kernelArgmax(count: Int, _ x: UnsafePointer<Float>, stride: Int) -> Int {
        keel_s_argmax(count, x, stride)
    }
}

extension Double: TensorScalar {
    public static func kernelMatrixMultiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        keel_dgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    public static func kernelUnary(_ function: UnaryKernel, count: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
        keel_d_unary(function.cValue, count, x, y)
    }

    public static func kernelBinary(
        _ function: BinaryKernel, count: Int, _ a: UnsafePointer<Double>, _ aStride: Int,
        _ b: UnsafePointer<Double>, _ bStride: Int, _ out: UnsafeMutablePointer<Double>
    ) {
        keel_d_binary(function.cValue, count, a, aStride, b, bStride, out)
    }

    public static func kernelSelect(
        count: Int, mask: UnsafePointer<Double>, _ maskStride: Int, _ a: UnsafePointer<Double>, _ aStride: Int,
        _ b: UnsafePointer<Double>, _ bStride: Int, _ out: UnsafeMutablePointer<Double>
    ) {
        keel_d_select(count, mask, maskStride, a, aStride, b, bStride, out)
    }

    public static func kernelClamp(count: Int, _ x: UnsafePointer<Double>, lower: Double, upper: Double, _ y: UnsafeMutablePointer<Double>) {
        keel_d_clamp(count, x, lower, upper, y)
    }

    public static func kernelPower(count: Int, _ x: UnsafePointer<Double>, exponent: Double, _ y: UnsafeMutablePointer<Double>) {
        keel_d_pow_scalar(count, x, exponent, y)
    }

    public static func kernelAXPY(count: Int, alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
        keel_d_axpy(count, alpha, x, y)
    }

    public static func kernelReduce(_ reduction: ReductionKernel, count: Int, _ x: UnsafePointer<Double>) -> Double {
        keel_d_reduce(reduction.cValue, count, x)
    }

    public static func kernelSoftmaxCrossEntropy(
        rows: Int, classes: Int, logits: UnsafePointer<Double>, targets: UnsafePointer<Int>, scale: Double,
        gradient: UnsafeMutablePointer<Double>
    ) -> Double {
        keel_d_softmax_cross_entropy(rows, classes, logits, targets, scale, gradient)
    }

    public static func kernelCountNonFinite(count: Int, _ x: UnsafePointer<Double>) -> Int {
        keel_d_count_nonfinite(count, x)
    }

    public static func kernelArgmax(count: Int, _ x: UnsafePointer<Double>, stride: Int) -> Int {
        keel_d_argmax(count, x, stride)
    }
}
