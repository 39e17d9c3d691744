/// Clips every element of every update into [−c, c]: gᵢ ← min(max(gᵢ, −c), c).
///
/// A tensor whose largest magnitude is at most c is not touched (one read pass to find out); a
/// tensor with a larger element is clamped in one more pass. ±∞ becomes ±c; NaN stays NaN.
/// Clipping by value changes the direction of the update; prefer ``GlobalNormClipper`` unless
/// single elements are the problem.
///
/// - Parameter maxValue: c ≥ 0.
///
/// ## References
/// - PyTorch `torch.nn.utils.clip_grad_value_`; Optax `clip`; Keras `clipvalue`.
public struct ValueClipper<Scalar: TensorScalar>: ThresholdClipper {
    public typealias State = EmptyTransformState

    /// c, the largest magnitude an element may have.
    public var maxValue: Double

    /// A clipper bounding every element's magnitude by `maxValue`.
    ///
    /// - Precondition: `maxValue` ≥ 0.
    public init(maxValue: Double) {
        precondition(maxValue >= 0, "ValueClipper: maxValue must be >= 0, got \(maxValue)")
        self.maxValue = maxValue
    }

    public var threshold: Double {
        get { maxValue }
        set { maxValue = newValue }
    }

    public var guarantee: ClippingGuarantee { .elementwise(max: maxValue) }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        let bound = Scalar(maxValue)
        var largestBefore = 0.0
        var largestAfter = 0.0
        var clippedTensors = 0
        for index in updates.indices {
            let largest = updates[index].norm(.infinity)
            largestBefore = largestBefore.isNaN ? largestBefore : (largest.isNaN ? largest : max(largestBefore, largest))
            // `!(largest <= c)` also clamps tensors whose maximum is NaN but which hold large values.
            if !(largest <= maxValue) {
                updates.withTensor(at: index) { $0 = $0.clamped(lower: -bound, upper: bound) }
                clippedTensors += 1
                largestAfter = max(largestAfter, min(largest.isNaN ? maxValue : largest, maxValue))
            } else {
                largestAfter = max(largestAfter, largest)
            }
        }
        context.reports.append(
            .clip(ClipReport(
                transform: "ValueClipper", fired: clippedTensors > 0, normBefore: largestBefore,
                normAfter: clippedTensors > 0 && largestBefore.isNaN ? .nan : largestAfter, coefficient: nil,
                threshold: maxValue, detail: clippedTensors > 0 ? "\(clippedTensors) tensors clamped (norms are L∞)" : nil)))
    }
}
