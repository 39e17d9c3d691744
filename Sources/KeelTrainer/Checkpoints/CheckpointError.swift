/// Why a checkpoint could not be written or was refused. Loading validates everything before
/// changing the trainer, so after any of these the trainer is exactly as before.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file of the checkpoint is missing or unreadable.
    case unreadable(file: String, detail: String)
    /// A file's size differs from the manifest's record (e.g. truncated).
    case sizeMismatch(file: String, expected: Int, found: Int)
    /// A file's checksum (FNV-1a 64) differs from the manifest's record.
    case checksumMismatch(file: String, expected: String, found: String)
    /// The manifest is malformed or of another format/version.
    case invalidManifest(file: String, detail: String)
    /// The weights file is not valid safetensors.
    case invalidWeights(file: String, error: SafeTensorsError)
    /// The trainer-state JSON is malformed (key path and detail from the decoder).
    case invalidTrainerState(file: String, detail: String)
    /// The model has a tensor the checkpoint lacks.
    case missingTensor(file: String, key: String)
    /// The checkpoint has tensors the model lacks.
    case unexpectedTensors(file: String, keys: [String])
    /// A tensor's shape differs from the model's.
    case shapeMismatch(file: String, key: String, expected: [Int], found: [Int])
    /// The checkpoint's monitors differ from the trainer's (count or names).
    case monitorMismatch(file: String, expected: [String], found: [String])
    /// Writing failed (nothing was replaced).
    case cannotWrite(path: String, detail: String)
    /// A parameter or buffer holds NaN or ±∞: the checkpoint was not written (nothing replaced).
    case nonFiniteWeights(file: String, key: String)

    /// A sentence naming the file, key or offset, and what was expected and found.
    public var description: String {
        switch self {
        case .unreadable(let file, let detail): "checkpoint: cannot read \(file): \(detail)"
        case .sizeMismatch(let file, let expected, let found):
            "checkpoint: \(file) has \(found) bytes, the manifest records \(expected) (truncated or replaced)"
        case .checksumMismatch(let file, let expected, let found):
            "checkpoint: \(file) has checksum \(found), the manifest records \(expected) (corrupt)"
        case .invalidManifest(let file, let detail): "checkpoint: invalid manifest \(file): \(detail)"
        case .invalidWeights(let file, let error): "checkpoint: \(file): \(error)"
        case .invalidTrainerState(let file, let detail): "checkpoint: invalid trainer state \(file): \(detail)"
        case .missingTensor(let file, let key): "checkpoint: \(file) has no tensor \(key), which the model has"
        case .unexpectedTensors(let file, let keys): "checkpoint: \(file) has tensors the model does not: \(keys.joined(separator: ", "))"
        case .shapeMismatch(let file, let key, let expected, let found):
            "checkpoint: \(file) tensor \(key) has shape \(found), the model expects \(expected)"
        case .monitorMismatch(let file, let expected, let found):
            "checkpoint: \(file) has monitors \(found), the trainer has \(expected)"
        case .cannotWrite(let path, let detail): "checkpoint: cannot write \(path): \(detail)"
        case .nonFiniteWeights(let file, let key):
            "checkpoint: not written: \(key) holds NaN or infinite values (the model diverged); \(file) would not be loadable"
        }
    }
}
