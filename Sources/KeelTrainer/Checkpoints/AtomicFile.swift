#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Durable file-system steps for checkpoints: write-fsync-close, fsync a directory, rename.
enum AtomicFile {
    /// Writes `bytes` to a new file at `path` (which must not exist) and fsyncs it.
    static func writeNew(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw CheckpointError.cannotWrite(path: path, detail: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            guard result > 0 else { throw CheckpointError.cannotWrite(path: path, detail: String(cString: strerror(errno))) }
            written += result
        }
        guard fsync(descriptor) == 0 else { throw CheckpointError.cannotWrite(path: path, detail: "fsync: \(String(cString: strerror(errno)))") }
    }

    /// fsyncs the directory at `path` so that renames and creations in it are durable.
    static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    static func rename(_ source: String, _ destination: String) throws {
        guard Foundation.rename(source, destination) == 0 else {
            throw CheckpointError.cannotWrite(path: destination, detail: "rename from \(source): \(String(cString: strerror(errno)))")
        }
    }

    static func read(_ path: String, file: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError.unreadable(file: file, detail: "missing or unreadable at \(path)")
        }
        return [UInt8](data)
    }
}
