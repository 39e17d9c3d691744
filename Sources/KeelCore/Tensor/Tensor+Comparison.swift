// Comparisons as masks, selection and the ReLU derivative: what a custom cell's backward pass
// needs beyond arithmetic. Masks are tensors of the same scalar type holding 1 and 0 (as
// PyTorch's `(x > 0).to(x.dtype)`), so they multiply straight into gradients. Every loop runs in a
// vectorized kernel; operands broadcast by NumPy's rule.

// The operators are the standard library's pointwise comparisons (declared for SIMD types).

extension Tensor {
    /// 1 where lhs > rhs, else 0 (NaN compares false), with broadcasting.
    public static func .> (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(.greater, lhs, rhs, operation: ".>") }
    /// 1 where lhs ≥ rhs, else 0 (NaN compares false), with broadcasting.
    public static func .>= (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(.greaterOrEqual, lhs, rhs, operation: ".>=") }
    /// 1 where lhs < rhs, else 0 (NaN compares false), with broadcasting.
    public static func .< (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(.less, lhs, rhs, operation: ".<") }
    /// 1 where lhs ≤ rhs, else 0 (NaN compares false), with broadcasting.
    public static func .<= (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(.lessOrEqual, lhs, rhs, operation: ".<=") }
    /// 1 where lhs = rhs, else 0 (NaN compares false; 0 = −0), with broadcasting.
    public static func .== (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(.equal, lhs, rhs, operation: ".==") }
    /// 1 where lhs ≠ rhs, else 0 (1 where either is NaN), with broadcasting.
    public static func .!= (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(.notEqual, lhs, rhs, operation: ".!=") }

    /// 1 where x > rhs, else 0.
    public static func .> (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .> Tensor(rhs) }
    /// 1 where x ≥ rhs, else 0.
    public static func .>= (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .>= Tensor(rhs) }
    /// 1 where x < rhs, else 0.
    public static func .< (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .< Tensor(rhs) }
    /// 1 where x ≤ rhs, else 0.
    public static func .<= (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .<= Tensor(rhs) }
    /// 1 where x = rhs, else 0.
    public static func .== (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .== Tensor(rhs) }
    /// 1 where x ≠ rhs, else 0.
    public static func .!= (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .!= Tensor(rhs) }

    /// ReLU′(x) as a mask: 1 where x > 0, 0 where x ≤ 0 (the subgradient 0 at 0, as PyTorch),
    /// NaN where x is NaN. The backward of `y = x.relu()` is `dy * x.reluDerivative()`.
    public func reluDerivative() -> Tensor { applying(.reluDerivative) }

    /// `whenTrue` where `condition` ≠ 0, else `whenFalse`, elementwise with broadcasting of all
    /// three operands (NumPy's `where`, PyTorch's `torch.where`). Unlike
    /// `condition * a + (1 − condition) * b`, the unselected operand never leaks in: an ∞ or NaN
    /// there does not turn the result into NaN.
    ///
    /// A NaN in `condition` selects `whenTrue` (NaN ≠ 0).
    public static func select(_ condition: Tensor, _ whenTrue: Tensor, _ whenFalse: Tensor) -> Tensor {
        let shape = broadcastShape(
            broadcastShape(condition.shape, whenTrue.shape, operation: "select"), whenFalse.shape, operation: "select")
        let count = shape.reduce(1, *)
        if count == 0 { return .zeros(shape) }
        // An operand of the full shape is read with stride 1, a single value with stride 0; any
        // other shape is expanded once (see broadcast(to:)).
        func operand(_ tensor: Tensor) -> (tensor: Tensor, stride: Int) {
            if tensor.shape == shape { return (tensor, 1) }
            if tensor.scalarCount == 1 { return (tensor, 0) }
            return (tensor.broadcast(to: shape), 1)
        }
        let (mask, maskStride) = operand(condition)
        let (a, aStride) = operand(whenTrue)
        let (b, bStride) = operand(whenFalse)
        return Tensor(shape: shape) { output in
            Kernels.select(
                count: count, mask: mask.storage.base, maskStride, a.storage.base, aStride, b.storage.base, bStride,
                output.baseAddress!)
        }
    }

    /// This tensor repeated along broadcast axes to `shape` (NumPy's `broadcast_to`, as a copy).
    ///
    /// - Precondition: the shape broadcasts to `shape`.
    public func broadcast(to shape: [Int]) -> Tensor {
        let result = Tensor.broadcastShape(self.shape, shape, operation: "broadcast(to:)")
        precondition(result == shape, "broadcast(to:): shape \(self.shape) cannot be broadcast to \(shape)")
        if self.shape == shape || shape.contains(0) { return self.shape == shape ? self : .zeros(shape) }
        // max(x, −∞) is x exactly (NaN, ±∞ and −0 included), so one broadcasting kernel copies.
        return Tensor(shape: shape) { Tensor.applyBroadcast(.maximum, self, Tensor(-.infinity), into: $0.baseAddress!, shape: shape) }
    }
}
