/// Why a file-backed sink failed; every case names the file.
public enum EventSinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// Writing or syncing the file failed.
    case writeFailed(path: String, reason: String)
    /// An event could not be encoded.
    case encodingFailed(path: String, reason: String)
    /// An existing CSV file has a different header than this sink writes.
    case headerMismatch(path: String, found: String, expected: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open event file \(path): \(reason)"
        case .writeFailed(let path, let reason): "cannot write event file \(path): \(reason)"
        case .encodingFailed(let path, let reason): "cannot encode an event for \(path): \(reason)"
        case .headerMismatch(let path, let found, let expected):
            "\(path) already holds a CSV with header \"\(found)\"; this sink writes \"\(expected)\" (use another file)"
        }
    }
}
