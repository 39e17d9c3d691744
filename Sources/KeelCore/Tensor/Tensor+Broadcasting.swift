extension Tensor {
    /// The shape two operands broadcast to, by NumPy's rule: align shapes at the trailing axis;
    /// each pair of extents must be equal or one of them 1 (a missing axis counts as 1).
    public static func broadcastShape(_ a: [Int], _ b: [Int], operation: String = "broadcast") -> [Int] {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for offset in 0..<rank {
            let x = offset < a.count ? a[a.count - 1 - offset] : 1
            let y = offset < b.count ? b[b.count - 1 - offset] : 1
            precondition(
                x == y || x == 1 || y == 1,
                "\(operation): shapes \(a) and \(b) cannot be broadcast together (extents \(x) and \(y) at axis \(rank - 1 - offset))")
            result[rank - 1 - offset] = x == 1 ? y : x
        }
        return result
    }

    /// Applies a binary kernel with broadcasting, writing into `output` (of the broadcast shape).
    ///
    /// Axes are aligned, broadcast axes get stride 0, and adjacent axes that are contiguous in both
    /// operands are merged, so `[T, B, F] + [F]` becomes T·B kernel calls over rows of F and
    /// `[N] + [N]` one call over N.
    static func applyBroadcast(
        _ function: BinaryKernel, _ a: Tensor, _ b: Tensor, into output: UnsafeMutablePointer<Scalar>, shape outputShape: [Int]
    ) {
        let count = outputShape.reduce(1, *)
        guard count > 0 else { return }
        if a.shape == b.shape {
            Kernels.binary(function, count: count, a.storage.base, 1, b.storage.base, 1, output)
            return
        }
        let rank = outputShape.count
        func alignedStrides(_ shape: [Int]) -> [Int] {
            let own = strides(of: shape)
            return (0..<rank).map { axis in
                let sourceAxis = axis - (rank - shape.count)
                return sourceAxis < 0 || shape[sourceAxis] == 1 ? 0 : own[sourceAxis]
            }
        }
        var extents: [Int] = [], aStrides: [Int] = [], bStrides: [Int] = []
        let aAligned = alignedStrides(a.shape), bAligned = alignedStrides(b.shape)
        for axis in 0..<rank where outputShape[axis] != 1 {
            if let last = extents.indices.last,
                aStrides[last] == aAligned[axis] * outputShape[axis],
                bStrides[last] == bAligned[axis] * outputShape[axis]
            {
                extents[last] *= outputShape[axis]
                aStrides[last] = aAligned[axis]
                bStrides[last] = bAligned[axis]
            } else {
                extents.append(outputShape[axis])
                aStrides.append(aAligned[axis])
                bStrides.append(bAligned[axis])
            }
        }
        if extents.isEmpty {  // every extent is 1
            Kernels.binary(function, count: 1, a.storage.base, 0, b.storage.base, 0, output)
            return
        }
        let inner = extents.removeLast()
        let aInner = aStrides.removeLast(), bInner = bStrides.removeLast()
        var index = [Int](repeating: 0, count: extents.count)
        var aOffset = 0, bOffset = 0, outOffset = 0
        while outOffset < count {
            Kernels.binary(
                function, count: inner, a.storage.base + aOffset, aInner, b.storage.base + bOffset, bInner, output + outOffset)
            outOffset += inner
            var axis = extents.count - 1
            while axis >= 0 {
                index[axis] += 1
                aOffset += aStrides[axis]
                bOffset += bStrides[axis]
                if index[axis] < extents[axis] { break }
                aOffset -= aStrides[axis] * extents[axis]
                bOffset -= bStrides[axis] * extents[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// `a ∘ b` elementwise with broadcasting, into a new tensor.
    static func broadcasting(_ function: BinaryKernel, _ a: Tensor, _ b: Tensor, operation: String) -> Tensor {
        let shape = a.shape == b.shape ? a.shape : broadcastShape(a.shape, b.shape, operation: operation)
        return Tensor(shape: shape) { output in
            applyBroadcast(function, a, b, into: output.baseAddress!, shape: shape)
        }
    }

    /// `self = self ∘ other` in place; `other` must broadcast to this tensor's shape.
    mutating func formBroadcasting(_ function: BinaryKernel, _ other: Tensor, operation: String) {
        let shape = broadcastShapeForInPlace(other, operation: operation)
        makeUnique()
        Tensor.applyBroadcast(function, self, other, into: storage.base, shape: shape)
    }

    private func broadcastShapeForInPlace(_ other: Tensor, operation: String) -> [Int] {
        if other.shape == shape { return shape }
        let result = Tensor.broadcastShape(shape, other.shape, operation: operation)
        precondition(
            result == shape,
            "\(operation): shape \(other.shape) cannot be broadcast into shape \(shape) in place")
        return result
    }
}
