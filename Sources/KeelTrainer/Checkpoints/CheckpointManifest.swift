/// The file written last into a checkpoint directory: format, step, and the size and checksum of
/// each other file, so that a partial or corrupt checkpoint is detected before anything is parsed.
struct CheckpointManifest: Codable, Sendable {
    struct FileRecord: Codable, Sendable {
        var name: String
        var size: Int
        var checksum: String
    }

    static let currentFormat = "keel-checkpoint"
    static let currentVersion = 1

    var format: String
    var version: Int
    var step: Int
    var files: [FileRecord]
}

/// FNV-1a 64-bit, as 16 hex digits: a cheap corruption check (not a cryptographic hash).
func fnv1a64(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
