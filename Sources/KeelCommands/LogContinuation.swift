import Foundation

/// Continuing a run's JSON Lines log from a checkpoint: a run killed after its last checkpoint
/// logged steps that the resumed run will take again, so those events are removed first and
/// every step appears once.
enum LogContinuation {
    /// Events whose `step` is the index of the step they belong to (kept when below the
    /// checkpoint's step); the others carry the steps taken so far (kept up to it).
    static let stepIndexedEvents: Set<String> = ["stepCompleted", "monitorFired", "actionTaken", "gradientFlow", "recurrentDynamics"]

    /// Rewrites `path` (atomically) without the events after `step` and without an unterminated
    /// last line; other lines it cannot read are kept as they are, and a missing log is left
    /// missing.
    static func trim(_ path: String, toStep step: Int) throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        var kept: [Substring] = []
        var removed = 0
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        if !text.hasSuffix("\n"), !lines.isEmpty {
            lines.removeLast()  // cut off mid-write by the kill
            removed += 1
        }
        for line in lines {
            guard let event = try? JSONDecoder().decode(EventHead.self, from: Data(line.utf8)) else {
                kept.append(line)
                continue
            }
            let (type, eventStep) = (event.type, event.step)
            let keep = stepIndexedEvents.contains(type) ? eventStep < step : eventStep <= step && type != "trainingFinished"
            if keep { kept.append(line) } else { removed += 1 }
        }
        guard removed > 0 else { return }
        let contents = kept.map { $0 + "\n" }.joined()
        do {
            try Data(contents.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandError("\(path): cannot rewrite the log to continue it from step \(step)")
        }
    }
}

/// The two fields of a logged event that decide whether a continued run keeps it.
private struct EventHead: Decodable {
    let type: String
    let step: Int
}
