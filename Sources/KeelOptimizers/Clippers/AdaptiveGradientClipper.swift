/// Adaptive gradient clipping (AGC): clips each unit's gradient relative to the norm of its
/// weights, so the bound follows the scale of the layer.
///
/// For every unit i of every tensor (a row of an `[out, in]` weight by default, see
/// ``UnitLayout``), with Wᵢ the unit's weights (read from `context.parameters`) and Gᵢ its
/// gradient:
///
///     mᵢ = λ·max(‖Wᵢ‖₂, ε)
///     Gᵢ ← Gᵢ·mᵢ / max(‖Gᵢ‖₂, 10⁻⁶)   if ‖Gᵢ‖₂ > mᵢ,   Gᵢ unchanged otherwise.
///
/// The unit axis comes from the declared layout of each key, never from a rank heuristic on the
/// gradient alone; the default declares rows for rank ≥ 2 and one unit for rank ≤ 1. Unit norms
/// are computed by kernel reductions over contiguous rows (one read pass of the weights and of the
/// gradients); a tensor with a clipped unit is scaled row-wise in one more pass, with a factor of
/// exactly 1 on the rows that were not clipped.
///
/// - Parameters:
///   - clipping: λ > 0 (0.01 in NFNets; the best λ shrinks as the batch grows).
///   - epsilon: ε, the floor on a weight norm so zero-initialized units can still move (10⁻³).
///   - layout: The unit layout of each parameter, given its key and shape.
///
/// ## References
/// - Brock, De, Smith, Simonyan. *High-Performance Large-Scale Image Recognition Without
///   Normalization*. ICML 2021 (arXiv:2102.06171), §4.
/// - Optax `adaptive_grad_clip` (`optax/transforms/_clipping.py`), which reduces over axis 0 of
///   `[in, out]` weights.
public struct AdaptiveGradientClipper<Scalar: TensorScalar>: ThresholdClipper {
    public typealias State = EmptyTransformState

    /// λ, the largest ratio ‖Gᵢ‖/max(‖Wᵢ‖, ε).
    public var clipping: Double
    /// ε, the floor on a unit's weight norm.
    public var epsilon: Double
    /// The unit layout of a parameter, given its key and shape.
    public let layout: @Sendable (ParameterKey, [Int]) -> UnitLayout

    /// AGC with the unit layout of each parameter given by `layout`.
    ///
    /// - Precondition: `clipping` > 0 and `epsilon` ≥ 0.
    public init(
        clipping: Double, epsilon: Double = 1e-3,
        layout: @escaping @Sendable (ParameterKey, [Int]) -> UnitLayout = { UnitLayout.default(for: $1) }
    ) {
        precondition(clipping > 0, "AdaptiveGradientClipper: clipping must be > 0, got \(clipping)")
        precondition(epsilon >= 0, "AdaptiveGradientClipper: epsilon must be >= 0, got \(epsilon)")
        self.clipping = clipping
        self.epsilon = epsilon
        self.layout = layout
    }

    /// AGC with the layouts of some parameters declared by key; the others get
    /// ``UnitLayout/default(for:)``.
    public init(clipping: Double, epsilon: Double = 1e-3, layouts: [ParameterKey: UnitLayout]) {
        self.init(clipping: clipping, epsilon: epsilon) { key, shape in layouts[key] ?? UnitLayout.default(for: shape) }
    }

    public var threshold: Double {
        get { clipping }
        set { clipping = newValue }
    }

    public var guarantee: ClippingGuarantee { .unitwiseRatio(clipping: clipping, epsilon: epsilon) }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        var squaresBefore = 0.0
        var squaresAfter = 0.0
        var clippedUnits = 0
        var totalUnits = 0
        for index in updates.indices {
            let key = updates.keys[index]
            let shape = updates[index].shape
            let unitLayout = layout(key, shape)
            if case .unclipped = unitLayout {
                let squares = updates[index].sumOfSquares()
                squaresBefore += squares
                squaresAfter += squares
                continue
            }
            guard let weight = context.parameters.tensor(for: key) else {
                throw GradientTransformError.missingParameter(transform: "AdaptiveGradientClipper", key: key)
            }
            guard weight.shape == shape else {
                throw GradientTransformError.shapeMismatch(
                    transform: "AdaptiveGradientClipper", key: key, update: shape, parameter: weight.shape)
            }
            let result = try clipUnits(of: &updates, at: index, weight: weight, layout: unitLayout)
            squaresBefore += result.squaresBefore
            squaresAfter += result.squaresAfter
            clippedUnits += result.clipped
            totalUnits += result.units
        }
        context.reports.append(
            .clip(ClipReport(
                transform: "AdaptiveGradientClipper", fired: clippedUnits > 0, normBefore: squaresBefore.squareRoot(),
                normAfter: squaresAfter.squareRoot(), coefficient: nil, threshold: clipping,
                detail: "\(clippedUnits) of \(totalUnits) units clipped (norms are global L2)")))
    }

    private func clipUnits(
        of updates: inout ParameterSet<Scalar>, at index: Int, weight: Tensor<Scalar>, layout: UnitLayout
    ) throws -> (squaresBefore: Double, squaresAfter: Double, clipped: Int, units: Int) {
        let shape = weight.shape
        var axis = 0
        var unitCount = 1
        if case .unitsAlongAxis(let unitAxis) = layout {
            precondition(
                unitAxis >= 0 && unitAxis < shape.count,
                "AdaptiveGradientClipper: unit axis \(unitAxis) is out of range for \(updates.keys[index]) of shape \(shape)")
            axis = unitAxis
            unitCount = shape[unitAxis]
        }
        // Bring the unit axis to the front so each unit is a contiguous row.
        let order = [axis] + shape.indices.filter { $0 != axis }
        let moved = axis != 0
        let count = weight.scalarCount
        guard count > 0, unitCount > 0 else { return (0, 0, 0, unitCount) }
        let rowLength = count / unitCount

        let weightSquares = rowSumsOfSquares(moved ? weight.permuted(order) : weight, rows: unitCount, length: rowLength)
        let gradientSquares = rowSumsOfSquares(
            moved ? updates[index].permuted(order) : updates[index], rows: unitCount, length: rowLength)
        var factors = [Scalar](repeating: 1, count: unitCount)
        var squaresBefore = 0.0
        var squaresAfter = 0.0
        var clipped = 0
        for unit in 0..<unitCount {
            let gradientNorm = gradientSquares[unit].squareRoot()
            let bound = clipping * max(weightSquares[unit].squareRoot(), epsilon)
            squaresBefore += gradientSquares[unit]
            if gradientNorm > bound {
                let factor = bound / max(gradientNorm, 1e-6)
                factors[unit] = Scalar(factor)
                squaresAfter += gradientSquares[unit] * factor * factor
                clipped += 1
            } else {
                squaresAfter += gradientSquares[unit]
            }
        }
        guard clipped > 0 else { return (squaresBefore, squaresAfter, 0, unitCount) }

        let factorColumn = Tensor(shape: [unitCount, 1], scalars: factors)
        let inverse = inversePermutation(order)
        updates.withTensor(at: index) { tensor in
            var rows = (moved ? tensor.permuted(order) : tensor).reshaped(to: [unitCount, rowLength])
            tensor = Tensor(Scalar(0))  // drops the reference so `rows` is scaled in place
            rows *= factorColumn
            let scaled = rows.reshaped(to: order.map { shape[$0] })
            tensor = moved ? scaled.permuted(inverse) : scaled
        }
        return (squaresBefore, squaresAfter, clipped, unitCount)
    }

    private func rowSumsOfSquares(_ tensor: Tensor<Scalar>, rows: Int, length: Int) -> [Double] {
        tensor.withUnsafeBufferPointer { buffer in
            (0..<rows).map { row in Kernels.reduce(.sumOfSquares, count: length, buffer.baseAddress! + row * length) }
        }
    }

    private func inversePermutation(_ order: [Int]) -> [Int] {
        var inverse = [Int](repeating: 0, count: order.count)
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        return inverse
    }
}
