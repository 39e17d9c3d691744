/// The state of a transform that remembers nothing between steps (a clipper with a fixed
/// threshold, a scale). Encodes as an empty object.
public struct EmptyTransformState: Codable, Sendable, Hashable {
    /// The empty state.
    public init() {}
}
