// Elementwise rewrites the kernels in KeelCore do not offer (a data-dependent select). Each runs
// as concrete Float or Double code: the generic bodies below are only ever called from
// `Scalar.self == Float.self` / `Double.self` branches with the buffer rebound to the concrete
// type, so the optimizer specializes them (DESIGN.md §2).

extension Tensor {
    /// Replaces NaN and ±∞ by 0 in place; returns how many elements were replaced. Counts with a
    /// kernel first and writes only when something is non-finite.
    mutating func zeroNonFiniteElements() -> Int {
        let count = nonFiniteCount
        guard count > 0 else { return 0 }
        withUnsafeMutableBufferPointer { buffer in
            if Scalar.self == Float.self {
                buffer.withMemoryRebound(to: Float.self) { zeroNonFiniteLoop($0) }
            } else if Scalar.self == Double.self {
                buffer.withMemoryRebound(to: Double.self) { zeroNonFiniteLoop($0) }
            } else {
                zeroNonFiniteLoop(buffer)
            }
        }
        return count
    }
}

extension ParameterSet {
    /// Replaces every tensor by zeros of its shape (multiplying by 0 would keep NaN).
    mutating func replaceWithZeros() {
        for index in indices { withTensor(at: index) { $0 = Tensor.zeros(like: $0) } }
    }

    /// Replaces NaN and ±∞ by 0 in every tensor; returns how many elements were replaced.
    mutating func zeroNonFiniteElements() -> Int {
        var total = 0
        for index in indices { total += withTensor(at: index) { $0.zeroNonFiniteElements() } }
        return total
    }

    /// The set restricted to `selected` indices, and the rest, both in set order; `self` is
    /// emptied so the parts own their storage uniquely and can be mutated without copies.
    mutating func split(selecting isSelected: [Bool]) -> (selected: ParameterSet, rest: ParameterSet) {
        var selected = ParameterSet()
        var rest = ParameterSet()
        for (index, key) in keys.enumerated() {
            if isSelected[index] { selected.append(self[index], for: key) } else { rest.append(self[index], for: key) }
        }
        self = ParameterSet()
        return (selected, rest)
    }

    /// Reassembles a set split by `split(selecting:)` in the original key order.
    static func merging(_ parts: [ParameterSet], order keys: [ParameterKey]) -> ParameterSet {
        var result = ParameterSet()
        for key in keys {
            for part in parts {
                if let index = part.index(of: key) {
                    result.append(part[index], for: key)
                    break
                }
            }
        }
        return result
    }
}

@inline(__always)
private func zeroNonFiniteLoop<T: BinaryFloatingPoint>(_ buffer: UnsafeMutableBufferPointer<T>) {
    for index in buffer.indices where !buffer[index].isFinite { buffer[index] = 0 }
}
