import Foundation

/// Appends `record` as one JSON line (sorted keys) to the file at `path`, creating it if needed.
func appendJSONLine(_ record: [String: Any], to path: String) throws {
    let line = String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self) + "\n"
    if let handle = FileHandle(forWritingAtPath: path) {
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        handle.closeFile()
    } else {
        try line.write(toFile: path, atomically: false, encoding: .utf8)
    }
}
