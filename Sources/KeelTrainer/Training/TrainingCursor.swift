/// A position in the data: the batch `index` of `epoch`, as a `BatchSource` addresses it.
///
/// The cursor is what a checkpoint, a rollback snapshot and a skipped-batch record store: a
/// random-access source returns the same batch for the same cursor, so training resumes exactly.
public struct TrainingCursor: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The epoch, from 0.
    public var epoch: Int
    /// The batch index within the epoch, from 0.
    public var index: Int

    /// The cursor at batch `index` of `epoch`.
    public init(epoch: Int, index: Int) {
        self.epoch = epoch
        self.index = index
    }

    /// Orders by epoch, then index.
    public static func < (lhs: TrainingCursor, rhs: TrainingCursor) -> Bool {
        (lhs.epoch, lhs.index) < (rhs.epoch, rhs.index)
    }

    /// `(epoch, index)`.
    public var description: String { "(epoch \(epoch), batch \(index))" }
}
