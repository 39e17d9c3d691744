import Foundation

/// One law's outcome, as KeelConformance logs it to the file named by `KEEL_CONFORMANCE_LOG`.
public struct LoggedLaw: Decodable, Equatable, Sendable {
    /// The component under test, e.g. `SoftClipper<Float>`.
    public var component: String
    /// The law's name.
    public var law: String
    /// Whether the law did not fail.
    public var passed: Bool
    /// `passed`, `failed`, `notApplicable` or `notVerified` (absent in logs written before
    /// statuses existed: then `passed` decides).
    public var status: String?
    /// The failure's description, or why the law was not checked, or what a pass measured.
    public var details: String?

    /// The status, defaulting from `passed`.
    public var effectiveStatus: String { status ?? (passed ? "passed" : "failed") }
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

    /// The printed summary: every component with its laws (✔ held, ✘ failed, – not applicable,
    /// ? not verified: vacuous laws never print as ✔), then the totals.
    public var report: String {
        guard !components.isEmpty else {
            return "No conformance laws ran. Do your tests call a KeelConformance suite's check(_:) and match the filter?"
        }
        var lines = ["Conformance summary"]
        var counts: [String: Int] = [:]
        for component in components.keys.sorted() {
            lines.append("  \(component)")
            for (law, entry) in components[component]!.sorted(by: { $0.key < $1.key }) {
                let status = entry.effectiveStatus
                counts[status, default: 0] += 1
                switch status {
                case "failed": lines.append("    ✘ \(law): \(entry.details ?? "failed")")
                case "notApplicable": lines.append("    – \(law): not applicable" + (entry.details.map { " (\($0))" } ?? ""))
                case "notVerified": lines.append("    ? \(law): not verified" + (entry.details.map { " (\($0))" } ?? ""))
                default: lines.append("    ✔ \(law)" + (entry.details.map { " (\($0))" } ?? ""))
                }
            }
        }
        var totals = "\(counts["passed", default: 0]) of \(lawCount) laws verified across \(components.count) component(s)"
        if let failed = counts["failed"] { totals += "; \(failed) failed" }
        if let notVerified = counts["notVerified"] { totals += "; \(notVerified) not verified" }
        if let notApplicable = counts["notApplicable"] { totals += "; \(notApplicable) not applicable" }
        lines.append(totals)
        return lines.joined(separator: "\n")
    }
}
