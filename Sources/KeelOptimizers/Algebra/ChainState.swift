/// The state of a ``Chain``: its first transform's state and its second's, as named fields (so a
/// checkpoint reads `{"first": …, "second": …}`).
public struct ChainState<First: Codable & Sendable, Second: Codable & Sendable>: Codable, Sendable {
    /// The state of ``Chain/first``.
    public var first: First
    /// The state of ``Chain/second``.
    public var second: Second

    /// A state from its two parts.
    public init(first: First, second: Second) {
        self.first = first
        self.second = second
    }
}

extension ChainState: Equatable where First: Equatable, Second: Equatable {}
