// Whole-set arithmetic: what gradient clipping, optimizers and accumulation are made of. Each
// operation is one vectorized pass per tensor.

extension ParameterSet {
    /// The norm of all tensors taken together as one vector (the "global norm" of
    /// `clip_grad_norm_`), accumulated in `Double`: √(Σₜ Σᵢ xₜᵢ²) for ``VectorNorm/l2``,
    /// Σₜ Σᵢ |xₜᵢ| for ``VectorNorm/l1``, maxₜ maxᵢ |xₜᵢ| for ``VectorNorm/infinity``. NaN or ±∞ in
    /// any tensor gives a non-finite norm.
    public func globalNorm(_ kind: VectorNorm = .l2) -> Double {
        switch kind {
        case .l2: return sumOfSquares().squareRoot()
        case .l1: return tensors.reduce(0) { $0 + $1.norm(.l1) }
        case .infinity:
            var largest = 0.0
            for tensor in tensors {
                let norm = tensor.norm(.infinity)
                if norm.isNaN { return norm }
                largest = Swift.max(largest, norm)
            }
            return largest
        }
    }

    /// Σₜ Σᵢ xₜᵢ², accumulated in `Double`.
    public func sumOfSquares() -> Double { tensors.reduce(0) { $0 + $1.sumOfSquares() } }

    /// The norm of each tensor, in order.
    public func norms(_ kind: VectorNorm = .l2) -> [Double] { tensors.map { $0.norm(kind) } }

    /// How many scalars are NaN or ±∞, over all tensors.
    public var nonFiniteCount: Int { tensors.reduce(0) { $0 + $1.nonFiniteCount } }

    /// The first key (in set order) whose tensor holds NaN or ±∞, or `nil`.
    public var firstNonFiniteKey: ParameterKey? {
        tensors.firstIndex { $0.nonFiniteCount > 0 }.map { keys[$0] }
    }

    /// Multiplies every tensor by `factor` in place.
    public mutating func scale(by factor: Scalar) {
        for index in tensors.indices { withTensor(at: index) { $0 *= factor } }
    }

    /// A copy with every tensor multiplied by `factor`.
    public func scaled(by factor: Scalar) -> ParameterSet {
        var result = self
        result.scale(by: factor)
        return result
    }

    /// self += α·other, tensor by tensor (BLAS `axpy`).
    ///
    /// - Precondition: `other` has the same keys in the same order and the same shapes.
    public mutating func add(_ other: ParameterSet, scaledBy alpha: Scalar = 1) {
        precondition(
            hasSameStructure(as: other),
            "ParameterSet.add: structures differ (\(keys.map(\.rawValue)) vs \(other.keys.map(\.rawValue)))")
        for index in tensors.indices { withTensor(at: index) { $0.addScaled(other.tensors[index], by: alpha) } }
    }

    public static func + (lhs: ParameterSet, rhs: ParameterSet) -> ParameterSet {
        var result = lhs
        result.add(rhs)
        return result
    }

    public static func - (lhs: ParameterSet, rhs: ParameterSet) -> ParameterSet {
        var result = lhs
        result.add(rhs, scaledBy: -1)
        return result
    }

    public static func += (lhs: inout ParameterSet, rhs: ParameterSet) { lhs.add(rhs) }
    public static func -= (lhs: inout ParameterSet, rhs: ParameterSet) { lhs.add(rhs, scaledBy: -1) }
}
