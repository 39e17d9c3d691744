/// The payload of ``TrainingEvent/checkpointSaved(_:)``.
///
/// JSON fields: `step`, `path`.
public struct CheckpointRecord: Sendable, Codable, Hashable {
    /// Steps taken when the checkpoint was written.
    public var step: Int
    /// Where it was written.
    public var path: String

    /// A checkpoint record.
    public init(step: Int, path: String) {
        self.step = step
        self.path = path
    }
}
