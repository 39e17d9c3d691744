extension Tensor {
    /// The same scalars viewed with another shape of the same element count. One extent may be
    /// −1, meaning "whatever makes the count match". Shares storage (no copy).
    public func reshaped(to newShape: [Int]) -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        precondition(inferred.count <= 1, "reshaped(to:): at most one extent may be -1, got \(newShape)")
        if let axis = inferred.first {
            let known = newShape.enumerated().filter { $0.offset != axis }.reduce(1) { $0 * $1.element }
            precondition(
                known > 0 && scalarCount % known == 0,
                "reshaped(to:): cannot reshape \(shape) (\(scalarCount) elements) to \(newShape)")
            resolved[axis] = scalarCount / known
        }
        let count = Tensor.elementCount(of: resolved, operation: "reshaped(to:)")
        precondition(
            count == scalarCount,
            "reshaped(to:): cannot reshape \(shape) (\(scalarCount) elements) to \(newShape) (\(count) elements)")
        return Tensor(shape: resolved, storage: storage)
    }

    /// The tensor with its last two axes swapped (a matrix transpose, batched over leading axes).
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed(): needs rank >= 2, got shape \(shape)")
        return swappingAxes(rank - 2, rank - 1)
    }

    /// The tensor with axes `first` and `second` swapped, for example `[time, batch, features]`
    /// to `[batch, time, features]`.
    public func swappingAxes(_ first: Int, _ second: Int) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(normalizedAxis(first, operation: "swappingAxes"), normalizedAxis(second, operation: "swappingAxes"))
        return permuted(order)
    }

    /// The tensor whose axis i is this tensor's axis `order[i]` (NumPy's `transpose(axes)`).
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(
            order.count == rank && Set(order) == Set(0..<rank),
            "permuted(_:): \(order) is not a permutation of the axes of shape \(shape)")
        if order == Array(0..<rank) { return self }
        let newShape = order.map { shape[$0] }
        let sourceStrides = Tensor.strides(of: shape)
        let permutedStrides = order.map { sourceStrides[$0] }
        let source = storage.base
        return Tensor(shape: newShape) { destination in
            guard destination.count > 0 else { return }
            // Walk the destination in row-major order with an odometer over the permuted strides.
            var index = [Int](repeating: 0, count: newShape.count)
            var sourceOffset = 0
            let lastExtent = newShape[newShape.count - 1]
            let lastStride = permutedStrides[newShape.count - 1]
            var position = 0
            while position < destination.count {
                var offset = sourceOffset
                for _ in 0..<lastExtent {
                    destination[position] = source[offset]
                    position += 1
                    offset += lastStride
                }
                var axis = newShape.count - 2
                while axis >= 0 {
                    index[axis] += 1
                    sourceOffset += permutedStrides[axis]
                    if index[axis] < newShape[axis] { break }
                    sourceOffset -= permutedStrides[axis] * newShape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }

    /// Element `index` along the first axis, with that axis removed: `x[t]` of a
    /// `[time, batch, features]` sequence is the `[batch, features]` step t.
    public subscript(index: Int) -> Tensor {
        precondition(rank >= 1, "Tensor[\(index)]: cannot index a rank-0 tensor")
        precondition(index >= 0 && index < shape[0], "Tensor[\(index)]: index out of bounds for shape \(shape)")
        return slice(index..<(index + 1)).reshaped(to: Array(shape.dropFirst()))
    }

    /// Elements `range` along the first axis (time steps, batch rows); the axis is kept.
    public func slice(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1, "slice(_:): cannot slice a rank-0 tensor")
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[0],
            "slice(_:): range \(range) is out of bounds for shape \(shape)")
        let rowSize = shape.dropFirst().reduce(1, *)
        var newShape = shape
        newShape[0] = range.count
        let source = storage.base + range.lowerBound * rowSize
        return Tensor(shape: newShape) { destination in
            if destination.count > 0 { destination.baseAddress!.initialize(from: source, count: destination.count) }
        }
    }

    /// Elements `range` along `axis`; the axis is kept.
    public func slice(_ range: Range<Int>, alongAxis axis: Int) -> Tensor {
        let axis = normalizedAxis(axis, operation: "slice(_:alongAxis:)")
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[axis],
            "slice(_:alongAxis:): range \(range) is out of bounds for axis \(axis) of shape \(shape)")
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        var newShape = shape
        newShape[axis] = range.count
        let source = storage.base
        let sourceBlock = shape[axis] * inner, block = range.count * inner
        return Tensor(shape: newShape) { destination in
            guard block > 0 else { return }
            for row in 0..<outer {
                (destination.baseAddress! + row * block)
                    .initialize(from: source + row * sourceBlock + range.lowerBound * inner, count: block)
            }
        }
    }

    /// Joins tensors along `axis`; all other extents must agree.
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: needs at least one tensor")
        let first = tensors[0]
        let axis = first.normalizedAxis(axis, operation: "concatenate")
        for tensor in tensors {
            precondition(
                tensor.rank == first.rank
                    && tensor.shape.enumerated().allSatisfy { $0.offset == axis || $0.element == first.shape[$0.offset] },
                "concatenate: shapes \(first.shape) and \(tensor.shape) differ outside axis \(axis)")
        }
        var newShape = first.shape
        newShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let outer = first.shape[..<axis].reduce(1, *)
        let inner = first.shape[(axis + 1)...].reduce(1, *)
        let outputBlock = newShape[axis] * inner
        return Tensor(shape: newShape) { destination in
            var columnOffset = 0
            for tensor in tensors {
                let block = tensor.shape[axis] * inner
                if block > 0 {
                    for row in 0..<outer {
                        (destination.baseAddress! + row * outputBlock + columnOffset)
                            .initialize(from: tensor.storage.base + row * block, count: block)
                    }
                }
                columnOffset += block
            }
        }
    }

    /// Joins same-shaped tensors along a new axis inserted at `axis`.
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: needs at least one tensor")
        let shape = tensors[0].shape
        precondition(axis >= 0 && axis <= shape.count, "stack: axis \(axis) is out of range for shape \(shape)")
        for tensor in tensors {
            precondition(tensor.shape == shape, "stack: shapes \(shape) and \(tensor.shape) differ")
        }
        var expanded = shape
        expanded.insert(1, at: axis)
        return concatenate(tensors.map { $0.reshaped(to: expanded) }, alongAxis: axis)
    }

    /// Splits along `axis` into pieces of the given sizes, which must add up to the axis extent.
    public func split(sizes: [Int], alongAxis axis: Int = 0) -> [Tensor] {
        let axis = normalizedAxis(axis, operation: "split(sizes:alongAxis:)")
        precondition(
            sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[axis],
            "split(sizes:alongAxis:): sizes \(sizes) do not add up to extent \(shape[axis]) of axis \(axis) in shape \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(start..<(start + size), alongAxis: axis)
        }
    }

    /// Splits along `axis` into `count` equal pieces.
    public func split(count: Int, alongAxis axis: Int = 0) -> [Tensor] {
        let resolved = normalizedAxis(axis, operation: "split(count:alongAxis:)")
        precondition(
            count > 0 && shape[resolved] % count == 0,
            "split(count:alongAxis:): extent \(shape[resolved]) of axis \(resolved) in shape \(shape) is not divisible by \(count)")
        return split(sizes: Array(repeating: shape[resolved] / count, count: count), alongAxis: resolved)
    }

    /// `axis` in 0..<rank; negative values count from the end (−1 is the last axis).
    func normalizedAxis(_ axis: Int, operation: String) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        precondition(resolved >= 0 && resolved < rank, "\(operation): axis \(axis) is out of range for shape \(shape)")
        return resolved
    }

    /// Row-major strides (in elements) of a shape.
    static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() {
            strides[axis] = stride
            stride *= shape[axis]
        }
        return strides
    }
}
