/// Which vector norm to take of a tensor or of a whole parameter set.
public enum VectorNorm: Sendable, Codable, Hashable, CustomStringConvertible {
    /// ‖x‖₁ = Σ |xᵢ|.
    case l1
    /// ‖x‖₂ = √(Σ xᵢ²), the norm gradient clipping uses by default.
    case l2
    /// ‖x‖∞ = max |xᵢ|.
    case infinity

    public var description: String {
        switch self {
        case .l1: "L1"
        case .l2: "L2"
        case .infinity: "L∞"
        }
    }
}

extension Tensor {
    /// The chosen norm of all elements, accumulated in `Double`.
    public func norm(_ kind: VectorNorm = .l2) -> Double {
        switch kind {
        case .l1: Kernels.reduce(.absoluteSum, count: scalarCount, storage.base)
        case .l2: sumOfSquares().squareRoot()
        case .infinity: Kernels.reduce(.absoluteMaximum, count: scalarCount, storage.base)
        }
    }
}
