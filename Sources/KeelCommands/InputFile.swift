import Foundation

/// Reading a file the user named, with errors that say what is wrong in plain words (a
/// directory, missing, unreadable) instead of Foundation's error domains and codes.
enum InputFile {
    /// Why `path` cannot be read as a regular file, or nil when it can be opened.
    static func problem(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
        if isDirectory.boolValue { return "is a directory, not a file" }
        guard FileManager.default.isReadableFile(atPath: path) else { return "permission denied" }
        return nil
    }

    /// The bytes of `path`; `what` names the file's role in the error ("the configuration file").
    static func read(_ path: String, what: String) throws -> Data {
        if let problem = problem(path) { throw CommandError("\(path): \(problem) (\(what))") }
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandError("\(path): cannot read \(what)") }
        return data
    }
}
