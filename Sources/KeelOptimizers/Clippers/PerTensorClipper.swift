/// The plumbing shared by the clippers that bound each tensor separately (``NormClipper``,
/// ``ValueClipper``): no state, one pass that measures every tensor and clips those above the
/// threshold, and one report whose numbers are the global norm of the same kind before and after.
///
/// A conformer says which norm it measures, whether a tensor whose norm is NaN is clipped, and
/// how one tensor is clipped; this extension does the rest.
///
/// Non-finite handling: a tensor whose norm is NaN is clipped only when ``clipsUnmeasured`` (an
/// element-wise clamp still bounds its other elements; a rescale would spread the NaN), and its
/// NaN makes the reported norm after NaN too, since nothing can be said of the output's size.
protocol PerTensorClipper: ThresholdClipper where State == EmptyTransformState {
    /// The transform's name in its ``ClipReport``.
    static var reportName: String { get }
    /// The norm each tensor is measured by and the report is given in.
    static var norm: VectorNorm { get }
    /// Whether a tensor whose norm is NaN is clipped.
    static var clipsUnmeasured: Bool { get }
    /// The report's detail after the number of clipped tensors ("tensors clipped").
    static var clippedDetail: String { get }
    /// Brings `tensor`, whose norm is `norm` (above the threshold, or NaN), within the threshold.
    func clip(_ tensor: inout Tensor<Scalar>, norm: Double)
}

extension PerTensorClipper {
    /// An ``EmptyTransformState``: the clipper keeps no history.
    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    /// Clips every tensor whose norm exceeds ``ThresholdClipper/threshold`` and appends one
    /// `.clip` report with the global norms before and after.
    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        let threshold = self.threshold
        var before = 0.0
        var after = 0.0
        var clippedTensors = 0
        for index in updates.indices {
            let norm = updates[index].norm(Self.norm)
            before = Self.accumulate(before, norm)
            if Self.clipsUnmeasured ? !(norm <= threshold) : norm > threshold {
                updates.withTensor(at: index) { clip(&$0, norm: norm) }
                clippedTensors += 1
                after = Self.accumulate(after, min(norm.isNaN ? threshold : norm, threshold))
            } else {
                after = Self.accumulate(after, norm)
            }
        }
        let normBefore = Self.finish(before)
        context.reports.append(
            .clip(ClipReport(
                transform: Self.reportName, fired: clippedTensors > 0, normBefore: normBefore,
                normAfter: normBefore.isNaN ? .nan : Self.finish(after), coefficient: nil, threshold: threshold,
                detail: clippedTensors > 0 ? "\(clippedTensors) \(Self.clippedDetail)" : nil)))
    }

    /// Adds one tensor's norm to the running global norm: a sum of squares for L2, a sum for L1,
    /// a maximum (NaN once any norm is NaN) for L∞.
    private static func accumulate(_ total: Double, _ norm: Double) -> Double {
        switch Self.norm {
        case .l1: total + norm
        case .l2: total + norm * norm
        case .infinity: total.isNaN ? total : (norm.isNaN ? norm : max(total, norm))
        }
    }

    /// The global norm from its running total.
    private static func finish(_ total: Double) -> Double {
        Self.norm == .l2 ? total.squareRoot() : total
    }
}
