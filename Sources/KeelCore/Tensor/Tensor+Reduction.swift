// Reductions over the whole tensor and along one axis. Whole-tensor sums accumulate in Double.

extension Tensor {
    /// Σ of all elements (0 for an empty tensor).
    public func sum() -> Scalar { Scalar(Kernels.reduce(.sum, count: scalarCount, storage.base)) }

    /// The mean of all elements (NaN for an empty tensor).
    public func mean() -> Scalar {
        Scalar(Kernels.reduce(.sum, count: scalarCount, storage.base) / Double(scalarCount))
    }

    /// The largest element (−∞ for an empty tensor; NaN if any element is NaN).
    public func max() -> Scalar { Scalar(Kernels.reduce(.maximum, count: scalarCount, storage.base)) }

    /// The smallest element (+∞ for an empty tensor; NaN if any element is NaN).
    public func min() -> Scalar { Scalar(Kernels.reduce(.minimum, count: scalarCount, storage.base)) }

    /// Σ x², accumulated in `Double`.
    public func sumOfSquares() -> Double { Kernels.reduce(.sumOfSquares, count: scalarCount, storage.base) }

    /// ‖x‖₁ = Σ |x|.
    public func l1Norm() -> Scalar { Scalar(Kernels.reduce(.absoluteSum, count: scalarCount, storage.base)) }

    /// ‖x‖₂ = √(Σ x²), accumulated in `Double`.
    public func l2Norm() -> Scalar { Scalar(sumOfSquares().squareRoot()) }

    /// ‖x‖∞ = max |x| (NaN if any element is NaN).
    public func lInfinityNorm() -> Scalar {
        Scalar(Kernels.reduce(.absoluteMaximum, count: scalarCount, storage.base))
    }

    /// How many elements are NaN or ±∞.
    public var nonFiniteCount: Int { Kernels.countNonFinite(count: scalarCount, storage.base) }

    /// The row-major index of the largest element (the first on ties; the first NaN if any).
    public func argmax() -> Int {
        precondition(scalarCount > 0, "argmax(): tensor of shape \(shape) is empty")
        return Kernels.argmax(count: scalarCount, storage.base, stride: 1)
    }

    /// Σ along `axis` (negative counts from the end); the axis is removed unless
    /// `keepingDimension` is set, in which case it stays with extent 1.
    public func sum(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        reduce(alongAxis: axis, combining: .add, keepingDimension: keepingDimension, operation: "sum(alongAxis:)")
    }

    /// The mean along `axis`.
    public func mean(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        let resolved = normalizedAxis(axis, operation: "mean(alongAxis:)")
        return sum(alongAxis: resolved, keepingDimension: keepingDimension) / Scalar(shape[resolved])
    }

    /// The maximum along `axis`; NaN propagates.
    public func max(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        reduce(alongAxis: axis, combining: .maximum, keepingDimension: keepingDimension, operation: "max(alongAxis:)")
    }

    /// The minimum along `axis`; NaN propagates.
    public func min(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        reduce(alongAxis: axis, combining: .minimum, keepingDimension: keepingDimension, operation: "min(alongAxis:)")
    }

    /// The index of the largest element along `axis`, for every position of the other axes, in
    /// row-major order of the remaining shape (`shape` with `axis` removed). For logits of shape
    /// `[batch, classes]`, `argmax(alongAxis: 1)` gives each row's predicted class.
    public func argmax(alongAxis axis: Int) -> [Int] {
        let axis = normalizedAxis(axis, operation: "argmax(alongAxis:)")
        precondition(shape[axis] > 0, "argmax(alongAxis:): axis \(axis) of shape \(shape) is empty")
        let outer = shape[..<axis].reduce(1, *), extent = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var result: [Int] = []
        result.reserveCapacity(outer * inner)
        for row in 0..<outer {
            for column in 0..<inner {
                result.append(Kernels.argmax(count: extent, storage.base + row * extent * inner + column, stride: inner))
            }
        }
        return result
    }

    /// Folds the slices along `axis` together with a binary kernel, one row of `inner` elements at
    /// a time, so the loop is vectorized whatever the axis. Along the last axis (`inner` = 1) that
    /// would be one kernel call per element, so each row is reduced by one call of the vectorized
    /// reduction kernel instead (sums accumulate in `Double` there).
    private func reduce(alongAxis axis: Int, combining function: BinaryKernel, keepingDimension: Bool, operation: String) -> Tensor {
        let axis = normalizedAxis(axis, operation: operation)
        let outer = shape[..<axis].reduce(1, *), extent = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var newShape = shape
        if keepingDimension { newShape[axis] = 1 } else { newShape.remove(at: axis) }
        if extent == 0 {
            let identity: Scalar = function == .add ? 0 : (function == .maximum ? -.infinity : .infinity)
            return Tensor(shape: newShape, repeating: identity)
        }
        let source = storage.base
        if inner == 1 {
            let reduction: ReductionKernel = function == .add ? .sum : (function == .maximum ? .maximum : .minimum)
            return Tensor(shape: newShape) { output in
                for row in 0..<outer {
                    output[row] = Scalar(Kernels.reduce(reduction, count: extent, source + row * extent))
                }
            }
        }
        return Tensor(shape: newShape) { output in
            guard output.count > 0 else { return }
            let destination = output.baseAddress!
            for row in 0..<outer {
                let target = destination + row * inner
                let block = source + row * extent * inner
                target.initialize(from: block, count: inner)
                for index in 1..<Swift.max(extent, 1) {
                    Kernels.binary(function, count: inner, target, 1, block + index * inner, 1, target)
                }
            }
        }
    }
}
