/// The state of ``ApplyIfFinite``: the guarded transform's state and the non-finite counters.
public struct ApplyIfFiniteState<InnerState: Codable & Sendable>: Codable, Sendable {
    /// The guarded transform's state, unchanged by refused steps.
    public var inner: InnerState
    /// Non-finite steps refused in a row (reset by a finite step and by giving up).
    public var consecutiveNonFinite: Int = 0
    /// Whether the last step's updates were finite.
    public var lastFinite: Bool = true
    /// Non-finite steps seen in total, refused or not.
    public var totalNonFinite: Int = 0

    /// A state before the first step.
    public init(inner: InnerState) {
        self.inner = inner
    }
}

extension ApplyIfFiniteState: Equatable where InnerState: Equatable {}
