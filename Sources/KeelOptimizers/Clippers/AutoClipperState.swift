/// The state of ``AutoClipper``: the most recent pre-clip norms, in a ring buffer.
public struct AutoClipperState: Codable, Sendable, Hashable {
    /// The recorded norms, at most the clipper's `historyLimit`; once full, `nextSlot` is the
    /// oldest, overwritten next.
    public var history: [Double] = []
    /// Where the next norm goes once the history is full.
    public var nextSlot: Int = 0

    /// The state before the first step.
    public init() {}

    mutating func record(_ norm: Double, limit: Int) {
        if history.count < limit {
            history.append(norm)
        } else {
            history[nextSlot] = norm
            nextSlot = (nextSlot + 1) % limit
        }
    }
}
