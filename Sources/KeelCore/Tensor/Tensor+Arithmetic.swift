// Elementwise arithmetic with NumPy broadcasting (a bias row [F] adds to every row of [B, F] or
// [T, B, F]; a scalar operand broadcasts everywhere). Every loop runs in a vectorized kernel.

extension Tensor {
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(.add, lhs, rhs, operation: "+") }
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(.subtract, lhs, rhs, operation: "-") }
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(.multiply, lhs, rhs, operation: "*") }
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(.divide, lhs, rhs, operation: "/") }

    public static func + (lhs: Tensor, rhs: Scalar) -> Tensor { lhs + Tensor(rhs) }
    public static func - (lhs: Tensor, rhs: Scalar) -> Tensor { lhs - Tensor(rhs) }
    public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { lhs * Tensor(rhs) }
    public static func / (lhs: Tensor, rhs: Scalar) -> Tensor { lhs / Tensor(rhs) }
    public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { Tensor(lhs) + rhs }
    public static func - (lhs: Scalar, rhs: Tensor) -> Tensor { Tensor(lhs) - rhs }
    public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { Tensor(lhs) * rhs }
    public static func / (lhs: Scalar, rhs: Tensor) -> Tensor { Tensor(lhs) / rhs }

    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs.formBroadcasting(.add, rhs, operation: "+=") }
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs.formBroadcasting(.subtract, rhs, operation: "-=") }
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs.formBroadcasting(.multiply, rhs, operation: "*=") }
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs.formBroadcasting(.divide, rhs, operation: "/=") }
    public static func += (lhs: inout Tensor, rhs: Scalar) { lhs += Tensor(rhs) }
    public static func -= (lhs: inout Tensor, rhs: Scalar) { lhs -= Tensor(rhs) }
    public static func *= (lhs: inout Tensor, rhs: Scalar) { lhs *= Tensor(rhs) }
    public static func /= (lhs: inout Tensor, rhs: Scalar) { lhs /= Tensor(rhs) }

    public static prefix func - (operand: Tensor) -> Tensor { operand.applying(.negate) }

    /// self += α·other, in one pass (BLAS `axpy`). Shapes must be equal.
    public mutating func addScaled(_ other: Tensor, by alpha: Scalar) {
        precondition(shape == other.shape, "addScaled(_:by:): shapes \(shape) and \(other.shape) differ")
        makeUnique()
        Kernels.axpy(count: scalarCount, alpha: alpha, other.storage.base, storage.base)
    }

    /// The elementwise maximum of two tensors, with broadcasting; NaN propagates.
    public static func maximum(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        broadcasting(.maximum, lhs, rhs, operation: "maximum")
    }

    /// The elementwise minimum of two tensors, with broadcasting; NaN propagates.
    public static func minimum(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        broadcasting(.minimum, lhs, rhs, operation: "minimum")
    }

    /// base ^ exponent elementwise, with broadcasting.
    public static func pow(_ base: Tensor, _ exponent: Tensor) -> Tensor {
        broadcasting(.power, base, exponent, operation: "pow")
    }
}
