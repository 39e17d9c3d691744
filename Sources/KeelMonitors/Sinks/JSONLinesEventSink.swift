import Foundation

/// Appends each event as one line of JSON (the stable form of ``TrainingEvent``) to a file: the
/// run log `keel report` reads.
///
/// The file is opened for appending (created if missing), so a resumed run continues the same
/// log. Each line is written with one unbuffered `write(2)`, so it is in the file as soon as
/// ``receive(_:)`` returns; ``flush()`` also `fsync`s. Errors are ``EventSinkError``s naming the path.
public final class JSONLinesEventSink: EventSink {
    /// The file's path.
    public var path: String { file.path }
    private let file: AppendOnlyFile
    private let encoder = TrainingEvent.makeJSONEncoder()

    /// Opens (or creates) `path` for appending.
    ///
    /// - Throws: ``EventSinkError/cannotOpen(path:reason:)``.
    public init(path: String) throws {
        file = try AppendOnlyFile(path: path)
    }

    public func receive(_ event: TrainingEvent) throws {
        let data: Data
        do { data = try encoder.encode(event) } catch {
            throw EventSinkError.encodingFailed(path: path, reason: String(describing: error))
        }
        try file.append(String(decoding: data, as: UTF8.self) + "\n")
    }

    public func flush() throws {
        try file.sync()
    }

    /// Reads a JSON Lines event file back (blank lines are skipped).
    ///
    /// - Throws: the file's read error, or a `DecodingError` for a malformed line.
    public static func readEvents(atPath path: String) throws -> [TrainingEvent] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let decoder = TrainingEvent.makeJSONDecoder()
        return try text.split(separator: "\n", omittingEmptySubsequences: true).map {
            try decoder.decode(TrainingEvent.self, from: Data($0.utf8))
        }
    }
}
