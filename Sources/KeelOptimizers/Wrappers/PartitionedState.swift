/// The state of a ``Partitioned`` transform: each group's state, by label.
public struct PartitionedState<GroupState: Codable & Sendable>: Codable, Sendable {
    /// Each group's state, by label.
    public var groups: [String: GroupState]

    /// A state from the groups' states.
    public init(groups: [String: GroupState]) {
        self.groups = groups
    }
}

extension PartitionedState: Equatable where GroupState: Equatable {}
