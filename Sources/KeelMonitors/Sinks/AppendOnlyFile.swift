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

    /// Opens (creating) `path` for appending. A last line without its newline (a process killed
    /// while writing it) is cut off first, so that what is appended starts on a line of its own
    /// and the file stays valid JSON Lines.
    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw EventSinkError.cannotOpen(path: path, reason: Self.lastError()) }
        var info = stat()
        var size = fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
        if size > 0, let complete = Self.endOfLastLine(descriptor, size: size), complete < size {
            if ftruncate(descriptor, off_t(complete)) == 0 { size = complete }
        }
        initialSize = size
    }

    /// The offset just past the last newline of the file (0 when there is none), or nil when it
    /// cannot be read.
    private static func endOfLastLine(_ descriptor: Int32, size: Int) -> Int? {
        var end = size
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while end > 0 {
            let start = max(0, end - buffer.count)
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, end - start, off_t(start)) }
            guard count == end - start else { return nil }
            if let index = buffer[0..<count].lastIndex(of: UInt8(ascii: "\n")) { return start + index + 1 }
            end = start
        }
        return 0
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
