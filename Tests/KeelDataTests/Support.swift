import Foundation

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("keel-data-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `bytes` to `name` in a fresh temporary directory and returns its URL.
func temporaryFile(_ name: String, bytes: [UInt8]) throws -> URL {
    let url = try temporaryDirectory().appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
}

/// Writes `text` as UTF-8 to `name` in a fresh temporary directory.
func temporaryFile(_ name: String, text: String) throws -> URL {
    try temporaryFile(name, bytes: Array(text.utf8))
}

/// The committed fixture `name` under Reference/.
func referenceFile(_ name: String, filePath: String = #filePath) -> URL {
    URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Reference").appendingPathComponent(name)
}
