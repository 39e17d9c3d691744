import Foundation

/// The file written last into a checkpoint directory: format, step, the size and checksum of
/// every other file, and a checksum of the manifest itself, so that a partial or corrupt
/// checkpoint is detected before anything is parsed (a single changed byte anywhere always
/// changes an FNV-1a checksum).
struct CheckpointManifest: Codable, Sendable {
    struct FileRecord: Codable, Sendable {
        var name: String
        var size: Int
        var checksum: String
    }

    static let currentFormat = "keel-checkpoint"
    /// Version 2 lists every file of the directory (model description, options, vocabulary)
    /// and checksums itself; version 1 listed only the weights and the trainer state.
    static let currentVersion = 2

    var format: String
    var version: Int
    var step: Int
    var files: [FileRecord]
    /// FNV-1a 64 of ``encoded()`` with this field empty.
    var checksum: String?

    /// The canonical bytes: sorted keys, no whitespace.
    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return [UInt8](try encoder.encode(self))
        } catch {
            throw CheckpointError.cannotWrite(path: CheckpointDirectory.manifestName, detail: "cannot encode the manifest")
        }
    }

    /// The checksum of the manifest's canonical bytes with ``checksum`` empty.
    func selfChecksum() throws -> String {
        var unsigned = self
        unsigned.checksum = ""
        return fnv1a64(try unsigned.encoded())
    }
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
