/// The state of ``Accumulate``: the inner transform's state, the gradients accumulated so far in
/// this cycle, and the counters.
public struct AccumulateState<InnerState: Codable & Sendable, Scalar: TensorScalar>: Codable, Sendable {
    /// The inner transform's state, advanced once per completed cycle.
    public var inner: InnerState
    /// Σ gⱼ over this cycle's micro-steps so far (empty between cycles).
    public var accumulated: ParameterSet<Scalar> = ParameterSet()
    /// Micro-steps accumulated in this cycle (0 ≤ microStep < k).
    public var microStep: Int = 0
    /// Completed cycles, i.e. times the inner transform has run.
    public var innerSteps: Int = 0

    /// A state before the first micro-step.
    public init(inner: InnerState) {
        self.inner = inner
    }
}

extension AccumulateState: Equatable where InnerState: Equatable {}
