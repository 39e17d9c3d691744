import Foundation

/// One law's outcome, as KeelConformance logs it to the file named by `KEEL_CONFORMANCE_LOG`.
public struct LoggedLaw: Decodable, Equatable, Sendable {
    /// The component under test, e.g. `SoftClipper<Float>`.
    public var component: String
    /// The law's name.
    public var law: String
    /// Whether the law held.
    public var passed: Bool
    /// The failure's description when the law did not hold.
    public var details: String?
}

/// A per-law summary of a conformance run.
public struct ConformanceSummary {
    /// Outcomes by component, then by law; a law checked several times fails if any check failed.
    public private(set) var components: [String: [String: LoggedLaw]] = [:]

    /// Parses the JSON lines of a log, skipping lines that do not parse.
    public init(log: String) {
        let decoder = JSONDecoder()
        for line in log.split(whereSeparator: \.isNewline) {
            guard let entry = try? decoder.decode(LoggedLaw.self, from: Data(line.utf8)) else { continue }
            if let existing = components[entry.component]?[entry.law], !existing.passed { continue }
            components[entry.component, default: [:]][entry.law] = entry
        }
    }

    /// The laws that failed, sorted by component then law.
    public var failures: [LoggedLaw] {
        components.values.flatMap(\.values).filter { !$0.passed }.sorted { ($0.component, $0.law) < ($1.component, $1.law) }
    }

    /// The number of distinct (component, law) pairs checked.
    public var lawCount: Int { components.values.reduce(0) { $0 + $1.count } }

    /// The printed summary: every component with ✔/✘ per law, then the totals.
    public var report: String {
        guard !components.isEmpty else {
            return "No conformance laws ran. Do your tests call a KeelConformance suite's check(_:) and match the filter?"
        }
        var lines = ["Conformance summary"]
        for component in components.keys.sorted() {
            lines.append("  \(component)")
            for (law, entry) in components[component]!.sorted(by: { $0.key < $1.key }) {
                lines.append(entry.passed ? "    ✔ \(law)" : "    ✘ \(law): \(entry.details ?? "failed")")
            }
        }
        let failed = failures.count
        lines.append("\(lawCount - failed) of \(lawCount) laws hold across \(components.count) component(s)" + (failed > 0 ? "; \(failed) failed" : ""))
        return lines.joined(separator: "\n")
    }
}
