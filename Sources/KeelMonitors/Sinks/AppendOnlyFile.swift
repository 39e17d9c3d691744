#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened with `O_APPEND`, written with unbuffered `write(2)` calls (so a line is in the
/// kernel as soon as ``append(_:)`` returns), synced by ``sync()``. Errors carry the path and
/// `strerror`.
final class AppendOnlyFile {
    let path: String
    private var descriptor: Int32
    /// The file's size when it was opened.
    let initialSize: Int

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw EventSinkError.cannotOpen(path: path, reason: Self.lastError()) }
        var info = stat()
        initialSize = fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func append(_ text: String) throws {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw EventSinkError.writeFailed(path: path, reason: Self.lastError())
            }
            offset += written
        }
        bytes.removeAll()
    }

    func sync() throws {
        guard fsync(descriptor) == 0 else { throw EventSinkError.writeFailed(path: path, reason: Self.lastError()) }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
