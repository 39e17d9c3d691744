import Foundation

/// Paths stored in a checkpoint are relative to the checkpoint directory, so that a checkpoint
/// moved or copied together with its data still finds it, and no absolute path of another
/// machine or another run is ever followed.
enum StoredPath {
    /// `path` (absolute or relative to the working directory) relative to `directory`.
    static func relative(_ path: String, from directory: String) -> String {
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: directory).standardizedFileURL.pathComponents
        var common = 0
        while common < min(target.count, base.count), target[common] == base[common] { common += 1 }
        let parts = Array(repeating: "..", count: base.count - common) + target[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// A stored `path` resolved against the checkpoint `directory` (absolute paths as they are).
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") { return path }
        let resolved = URL(fileURLWithPath: directory).standardizedFileURL.appendingPathComponent(path).standardizedFileURL.path
        return relative(resolved, from: FileManager.default.currentDirectoryPath).hasPrefix("..") ? resolved
            : relative(resolved, from: FileManager.default.currentDirectoryPath)
    }
}

extension TrainOptions {
    /// Applies `transform` to every input data path (text, CSV, NumPy files).
    mutating func resolveDataPaths(_ transform: (String) -> String) {
        text = text.map(transform)
        csv = csv.map(transform)
        npyInputs = npyInputs.map(transform)
        npyTargets = npyTargets.map(transform)
    }
}
