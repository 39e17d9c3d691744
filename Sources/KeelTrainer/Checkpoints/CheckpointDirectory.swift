#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A checkpoint directory as one atomic unit: every file is staged in a sibling directory, listed
/// with its size and checksum in `manifest.json` (which also checksums itself), and the staged
/// directory replaces the live one in one step; loading verifies every listed file before any of
/// them is parsed.
///
/// **Replacement.** Where the system offers an atomic exchange of two paths (Linux
/// `renameat2(RENAME_EXCHANGE)`, Darwin `renamex_np(RENAME_SWAP)`), the staged and the live
/// directory trade places, so `path` always holds a complete checkpoint, the old or the new one;
/// otherwise the old one is renamed aside first, and a crash between the two renames leaves it
/// under `.<name>.previous-<pid>`, which ``recover(_:)`` puts back. Staging directories of runs
/// that died (`.<name>.partial-<pid>`, `.<name>.previous-<pid>` of a process no longer running)
/// are removed at the next save.
public enum CheckpointDirectory {
    /// The manifest's file name.
    public static let manifestName = "manifest.json"

    /// A checkpoint whose every file matched the manifest.
    public struct Verified: Sendable {
        /// The directory.
        public var path: String
        /// The step the manifest records.
        public var step: Int
        /// The bytes of every file the manifest lists, by name.
        public var files: [String: [UInt8]]
    }

    /// Reads and verifies the checkpoint at `path`: the manifest's own checksum, then the size and
    /// checksum of every file it lists; every name in `required` must be listed.
    ///
    /// - Throws: ``CheckpointError`` naming the file and what differs.
    public static func verify(_ path: String, required: [String] = []) throws -> Verified {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            if let previous = survivingPrevious(of: path) {
                throw CheckpointError.unreadable(
                    file: path, detail: "no such checkpoint directory (a run was killed while replacing it; the previous checkpoint is at \(previous): rename it to \(path))")
            }
            throw CheckpointError.unreadable(file: path, detail: "no such checkpoint directory")
        }
        guard isDirectory.boolValue else { throw CheckpointError.unreadable(file: path, detail: "is a file, not a checkpoint directory") }
        let manifestPath = path + "/" + manifestName
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw CheckpointError.unreadable(file: manifestName, detail: "missing in \(path): not a checkpoint directory written by Keel")
        }
        let manifestBytes = try AtomicFile.read(manifestPath, file: manifestName)
        let manifest = try decodeManifest(manifestBytes)
        var files: [String: [UInt8]] = [:]
        for record in manifest.files {
            guard isPlainName(record.name) else {
                throw CheckpointError.invalidManifest(file: manifestName, detail: "file name '\(record.name)' is not a plain name in the directory")
            }
            let bytes = try AtomicFile.read(path + "/" + record.name, file: record.name)
            guard bytes.count == record.size else { throw CheckpointError.sizeMismatch(file: record.name, expected: record.size, found: bytes.count) }
            let checksum = fnv1a64(bytes)
            guard checksum == record.checksum else { throw CheckpointError.checksumMismatch(file: record.name, expected: record.checksum, found: checksum) }
            files[record.name] = bytes
        }
        for name in required where files[name] == nil {
            throw CheckpointError.invalidManifest(file: manifestName, detail: "no record of \(name)")
        }
        return Verified(path: path, step: manifest.step, files: files)
    }

    /// Decodes a manifest and checks its format, version and self-checksum.
    static func decodeManifest(_ bytes: [UInt8]) throws -> CheckpointManifest {
        let manifest: CheckpointManifest
        do {
            manifest = try JSONDecoder().decode(CheckpointManifest.self, from: Data(bytes))
        } catch {
            throw CheckpointError.invalidManifest(file: manifestName, detail: describeDecodingError(error))
        }
        guard manifest.format == CheckpointManifest.currentFormat else {
            throw CheckpointError.invalidManifest(file: manifestName, detail: "format '\(manifest.format)', expected '\(CheckpointManifest.currentFormat)'")
        }
        guard manifest.version == CheckpointManifest.currentVersion else {
            throw CheckpointError.invalidManifest(
                file: manifestName,
                detail: "version \(manifest.version), this keel reads version \(CheckpointManifest.currentVersion)\(manifest.version < CheckpointManifest.currentVersion ? " (written by an older keel, which did not checksum every file)" : "")")
        }
        let expected = try manifest.selfChecksum()
        guard manifest.checksum == expected, try manifest.encoded() == bytes else {
            throw CheckpointError.checksumMismatch(file: manifestName, expected: manifest.checksum ?? "none", found: expected)
        }
        return manifest
    }

    /// Writes `files` (name → bytes) as the checkpoint at `path`, atomically, with their manifest.
    ///
    /// - Throws: ``CheckpointError/cannotWrite(path:detail:)``; nothing at `path` has changed then.
    static func write(_ files: [(name: String, bytes: [UInt8])], step: Int, to path: String) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let parent = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let fileManager = FileManager.default
        try checkReplaceable(url.path)
        recover(url.path)
        removeStaleStaging(of: url.path)
        let staging = parent + "/.\(name).partial-\(getpid())"
        try? fileManager.removeItem(atPath: staging)
        guard mkdir(staging, 0o755) == 0 else {
            throw CheckpointError.cannotWrite(path: staging, detail: "cannot create the staging directory: \(String(cString: strerror(errno)))")
        }
        do {
            var records: [CheckpointManifest.FileRecord] = []
            for file in files {
                precondition(isPlainName(file.name) && file.name != manifestName, "CheckpointDirectory: invalid file name \(file.name)")
                try AtomicFile.writeNew(file.bytes, to: staging + "/" + file.name)
                records.append(.init(name: file.name, size: file.bytes.count, checksum: fnv1a64(file.bytes)))
            }
            var manifest = CheckpointManifest(
                format: CheckpointManifest.currentFormat, version: CheckpointManifest.currentVersion, step: step, files: records)
            manifest.checksum = try manifest.selfChecksum()
            try AtomicFile.writeNew(try manifest.encoded(), to: staging + "/" + manifestName)
            AtomicFile.syncDirectory(staging)
            if fileManager.fileExists(atPath: url.path) {
                if exchange(staging, url.path) {
                    AtomicFile.syncDirectory(parent)
                    try? fileManager.removeItem(atPath: staging)  // now the old checkpoint
                } else {
                    let previous = parent + "/.\(name).previous-\(getpid())"
                    try? fileManager.removeItem(atPath: previous)
                    try AtomicFile.rename(url.path, previous)
                    try AtomicFile.rename(staging, url.path)
                    AtomicFile.syncDirectory(parent)
                    try? fileManager.removeItem(atPath: previous)
                }
            } else {
                try AtomicFile.rename(staging, url.path)
                AtomicFile.syncDirectory(parent)
            }
        } catch {
            try? fileManager.removeItem(atPath: staging)
            throw error
        }
    }

    /// Refuses to replace a file, or a non-empty directory that is not a checkpoint (a mistyped
    /// `--checkpoint-dir` must never delete someone's data), and a path whose parent directory is
    /// missing or not writable. Call it before training to fail early; every save checks again.
    ///
    /// - Throws: ``CheckpointError/cannotWrite(path:detail:)``.
    public static func checkReplaceable(_ path: String) throws {
        let parent = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        var parentIsDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &parentIsDirectory), parentIsDirectory.boolValue else {
            throw CheckpointError.cannotWrite(path: path, detail: "the parent directory \(parent) does not exist")
        }
        guard access(parent, W_OK) == 0 else {
            throw CheckpointError.cannotWrite(path: path, detail: "the parent directory \(parent) is not writable")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw CheckpointError.cannotWrite(path: path, detail: "a file of that name exists; a checkpoint is a directory") }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if !contents.isEmpty && !contents.contains(manifestName) {
            throw CheckpointError.cannotWrite(
                path: path, detail: "the directory exists and is not a Keel checkpoint (no \(manifestName)); refusing to replace it")
        }
    }

    /// Puts back a checkpoint left under `.<name>.previous-<pid>` by a run killed between the two
    /// renames of the fallback replacement, when `path` itself is missing.
    public static func recover(_ path: String) {
        guard !FileManager.default.fileExists(atPath: path), let previous = survivingPrevious(of: path) else { return }
        if (try? verify(previous)) != nil { _ = Foundation.rename(previous, path) }
    }

    /// Removes the staging directories of `path` left by runs that are no longer running.
    public static func removeStaleStaging(of path: String) {
        for (entry, pid) in stagingEntries(of: path) where pid == getpid() || !isRunning(pid) {
            try? FileManager.default.removeItem(atPath: entry)
        }
    }

    static func survivingPrevious(of path: String) -> String? {
        stagingEntries(of: path).first { $0.path.contains(".previous-") }?.path
    }

    /// `.<name>.partial-<pid>` and `.<name>.previous-<pid>` beside `path`, with their pids.
    static func stagingEntries(of path: String) -> [(path: String, pid: pid_t)] {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let parent = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return [] }
        return entries.compactMap { entry in
            for kind in [".partial-", ".previous-"] {
                let prefix = "." + name + kind
                if entry.hasPrefix(prefix), let pid = pid_t(entry.dropFirst(prefix.count)) { return (parent + "/" + entry, pid) }
            }
            return nil
        }
    }

    static func isRunning(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
    }

    /// Atomically exchanges two paths where the system can; false when it cannot (nothing moved).
    static func exchange(_ first: String, _ second: String) -> Bool {
        #if os(Linux)
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let exchangeFlag: UInt32 = 2  // RENAME_EXCHANGE
        return renameat2(AT_FDCWD, first, AT_FDCWD, second, exchangeFlag) == 0
        #elseif canImport(Darwin)
        return renamex_np(first, second, UInt32(RENAME_SWAP)) == 0
        #else
        return false
        #endif
    }

    /// A decoding error as a sentence without Swift's type names: "at files.0.size: expected a
    /// number".
    public static func describeDecodingError(_ error: any Error) -> String {
        func at(_ path: [any CodingKey]) -> String {
            let text = path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "" : "at \(text): "
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context): return "\(at(context.codingPath))missing key '\(key.stringValue)'"
        case DecodingError.valueNotFound(_, let context): return "\(at(context.codingPath))missing value (null)"
        case DecodingError.typeMismatch(let type, let context): return "\(at(context.codingPath))expected \(typeName(type))"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(at(context.codingPath))invalid value"
        default: return "not valid JSON"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type, is Float.Type, is UInt64.Type: "a number"
        case is Bool.Type: "true or false"
        default: String(describing: type).hasPrefix("Array") ? "a list" : "an object"
        }
    }
}
