import Foundation

/// Records law results as JSON lines when the environment variable `KEEL_CONFORMANCE_LOG` names a
/// file: the `check-conformance` plugin sets it and prints a per-law summary from the file.
enum ConformanceLog {
    static let environmentKey = "KEEL_CONFORMANCE_LOG"

    private struct Entry: Encodable {
        var component: String
        var law: String
        var passed: Bool
        var status: String
        var details: String?
    }

    static func record(_ result: LawResult) {
        guard let path = ProcessInfo.processInfo.environment[environmentKey], !path.isEmpty else { return }
        let entry = Entry(
            component: result.component, law: result.law, passed: result.passed, status: result.status.rawValue,
            details: result.failure?.details ?? result.note)
        guard var line = try? JSONEncoder().encode(entry) else { return }
        line.append(UInt8(ascii: "\n"))
        // One write with O_APPEND per line, so parallel tests never interleave within a line.
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}

/// Runs one law's body and returns its result (logged): a `Violation` becomes a failure, a
/// `LawEnding` a vacuous or annotated outcome.
func evaluateLaw<Law: ConformanceLaw>(
    _ law: Law, component: String, seed: UInt64, _ body: () throws -> Void
) -> LawResult {
    var result: LawResult
    do {
        try body()
        result = LawResult(component: component, law: law.rawValue, status: .passed)
    } catch let ending as LawEnding {
        switch ending {
        case .notApplicable(let reason): result = LawResult(component: component, law: law.rawValue, status: .notApplicable, note: reason)
        case .notVerified(let reason): result = LawResult(component: component, law: law.rawValue, status: .notVerified, note: reason)
        case .passed(let note): result = LawResult(component: component, law: law.rawValue, status: .passed, note: note)
        }
    } catch let violation as Violation {
        result = LawResult(
            component: component, law: law.rawValue,
            failure: ConformanceFailure(
                component: component, law: law.rawValue, details: violation.details, seed: seed, sample: violation.sample))
    } catch let conformance as ConformanceFailure {
        result = LawResult(component: component, law: law.rawValue, failure: conformance)
    } catch {
        result = LawResult(
            component: component, law: law.rawValue,
            failure: ConformanceFailure(component: component, law: law.rawValue, details: "threw \(error)", seed: seed))
    }
    ConformanceLog.record(result)
    return result
}
