import Foundation

/// Writes one CSV row per ``TrainingEvent/stepCompleted(_:)`` event, for spreadsheets and pandas;
/// other events are ignored.
///
/// Columns (``header``): `step,epoch,loss,global_gradient_norm,learning_rate,clipped,update_applied,duration_seconds`.
/// Numbers use Swift's shortest round-trip form (`0.1`, `1e-05`, `nan`, `inf`, all read by
/// pandas); booleans are `true`/`false`; an unknown duration is an empty field. The header is
/// written when the file is new or empty; appending to a file with another header throws
/// ``EventSinkError/headerMismatch(path:found:expected:)``.
public final class CSVEventSink: EventSink {
    /// The header line (without the newline).
    public static let header =
        "step,epoch,loss,global_gradient_norm,learning_rate,clipped,update_applied,duration_seconds"

    /// The file's path.
    public var path: String { file.path }
    private let file: AppendOnlyFile

    /// Opens (or creates) `path` for appending and writes the header if the file is empty.
    ///
    /// - Throws: ``EventSinkError``.
    public init(path: String) throws {
        if FileManager.default.fileExists(atPath: path),
            let existing = try? String(contentsOfFile: path, encoding: .utf8), !existing.isEmpty
        {
            let found = String(existing.prefix { $0 != "\n" })
            guard found == Self.header else {
                throw EventSinkError.headerMismatch(path: path, found: found, expected: Self.header)
            }
        }
        file = try AppendOnlyFile(path: path)
        if file.initialSize == 0 { try file.append(Self.header + "\n") }
    }

    public func receive(_ event: TrainingEvent) throws {
        guard case .stepCompleted(let record) = event else { return }
        try file.append(Self.row(record) + "\n")
    }

    public func flush() throws {
        try file.sync()
    }

    /// The CSV row of a step (without the newline).
    public static func row(_ record: StepRecord) -> String {
        [
            "\(record.step)", "\(record.epoch)", "\(record.loss)", "\(record.globalGradientNorm)",
            "\(record.learningRate)", "\(record.clipped)", "\(record.updateApplied)",
            record.durationSeconds.map { "\($0)" } ?? "",
        ].joined(separator: ",")
    }
}
