import Foundation
import KeelMonitors

/// The events of one training run, read from a JSON Lines log (one `TrainingEvent` per line).
public struct RunLog: Sendable {
    /// A name for legends and headings (the file name without its extension by default).
    public var name: String
    /// The events in file order.
    public var events: [TrainingEvent]

    /// A run called `name` made of `events` already in memory (the demo's runs, tests).
    public init(name: String, events: [TrainingEvent]) {
        self.name = name
        self.events = events
    }

    /// Reads `path`; blank lines are skipped.
    ///
    /// - Throws: ``RunLogError`` naming the file and the 1-based line of the first bad line.
    public init(contentsOfFile path: String, name: String? = nil) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RunLogError(file: path, line: nil, problem: "no such file")
        }
        guard !isDirectory.boolValue else { throw RunLogError(file: path, line: nil, problem: "is a directory, not a JSON Lines log") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunLogError(file: path, line: nil, problem: "cannot be read (permission denied?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RunLogError(file: path, line: nil, problem: "is not valid UTF-8")
        }
        let decoder = TrainingEvent.makeJSONDecoder()
        var events: [TrainingEvent] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, line) in lines.enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                events.append(try decoder.decode(TrainingEvent.self, from: Data(line.utf8)))
            } catch {
                // The unterminated last line of a run that was killed while writing it.
                if offset == lines.count - 1 && !text.hasSuffix("\n") { break }
                throw RunLogError(file: path, line: offset + 1, problem: Self.describe(error))
            }
        }
        self.name = name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        self.events = events
    }

    static func describe(_ error: any Error) -> String {
        func at(_ path: [any CodingKey]) -> String { path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
        switch error as? DecodingError {
        case .dataCorrupted(let context)?:
            return context.codingPath.isEmpty ? "not a JSON training event (not valid JSON)" : "invalid value at '\(at(context.codingPath))'"
        case .keyNotFound(let key, let context)?:
            return "missing key '\(at(context.codingPath + [key]))'"
        case .typeMismatch(_, let context)?:
            return "wrong type at '\(at(context.codingPath))'"
        case .valueNotFound(_, let context)?:
            return "missing value (null) at '\(at(context.codingPath))'"
        default:
            return "not a JSON training event"
        }
    }

    /// The completed steps, in order.
    public var steps: [StepRecord] { events.compactMap { if case .stepCompleted(let r) = $0 { r } else { nil } } }
    /// The validation evaluations, in order.
    public var validations: [ValidationRecord] { events.compactMap { if case .validation(let r) = $0 { r } else { nil } } }
    /// Every time a monitor fired, in order.
    public var firings: [MonitorFiredRecord] { events.compactMap { if case .monitorFired(let r) = $0 { r } else { nil } } }
    /// The interventions the trainer took (skips, rollbacks, learning-rate changes, stops), in order.
    public var actions: [ActionRecord] { events.compactMap { if case .actionTaken(let r) = $0 { r } else { nil } } }
    /// The recorded gradient-flow profiles ‖∂L/∂hₜ‖, in order.
    public var gradientFlows: [GradientFlowRecord] { events.compactMap { if case .gradientFlow(let r) = $0 { r } else { nil } } }
    /// The recorded recurrent dynamics (σ_max, saturation, hidden-norm growth), in order.
    public var dynamics: [RecurrentDynamicsRecord] { events.compactMap { if case .recurrentDynamics(let r) = $0 { r } else { nil } } }
    /// The last end-of-training record, or `nil` for a run that did not finish (still running, crashed).
    public var finish: FinishRecord? { events.lazy.compactMap { if case .trainingFinished(let r) = $0 { r } else { nil } }.last }
    /// The checkpoints saved, in order.
    public var checkpoints: [CheckpointRecord] { events.compactMap { if case .checkpointSaved(let r) = $0 { r } else { nil } } }
}

/// A JSON Lines log that cannot be read: the file, the line (1-based) and what was wrong.
public struct RunLogError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path of the log.
    public var file: String
    /// The 1-based line of the first bad event, or `nil` when the whole file is unreadable.
    public var line: Int?
    /// What is wrong, as a sentence fragment following the location.
    public var problem: String

    public var description: String {
        if let line { return "\(file):\(line): \(problem)" }
        return "\(file): \(problem)"
    }
}
