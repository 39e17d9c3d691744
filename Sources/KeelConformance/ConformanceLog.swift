import Foundation

/// Records law results as JSON lines when the environment variable `KEEL_CONFORMANCE_LOG` names a
/// file: the `check-conformance` plugin sets it and prints a per-law summary from the file.
enum ConformanceLog {
    static let environmentKey = "KEEL_CONFORMANCE_LOG"

    private struct Entry: Encodable {
        var component: String
        var law: String
        var passed: Bool
        var details: String?
    }

    static func record(_ result: LawResult) {
        guard let path = ProcessInfo.processInfo.environment[environmentKey], !path.isEmpty else { return }
        let entry = Entry(component: result.component, law: result.law, passed: result.passed, details: result.failure?.details)
        guard var line = try? JSONEncoder().encode(entry) else { return }
        line.append(UInt8(ascii: "\n"))
        // One write with O_APPEND per line, so parallel tests never interleave within a line.
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}

/// Runs one law's body, turns a `Violation` into a ``ConformanceFailure``, and logs the result.
func runLaw<Law: ConformanceLaw>(
    _ law: Law, component: String, seed: UInt64, _ body: () throws -> Void
) throws {
    var failure: ConformanceFailure?
    do {
        try body()
    } catch let violation as Violation {
        failure = ConformanceFailure(
            component: component, law: law.rawValue, details: violation.details, seed: seed, sample: violation.sample)
    } catch let conformance as ConformanceFailure {
        failure = conformance
    } catch {
        failure = ConformanceFailure(
            component: component, law: law.rawValue, details: "threw \(error)", seed: seed)
    }
    ConformanceLog.record(LawResult(component: component, law: law.rawValue, failure: failure))
    if let failure { throw failure }
}

/// Every law of `Law` checked by `check`, as results.
func collectResults<Law: ConformanceLaw>(
    _ laws: Law.AllCases, component: String, _ check: (Law) throws -> Void
) -> [LawResult] {
    laws.map { law in
        do {
            try check(law)
            return LawResult(component: component, law: law.rawValue, failure: nil)
        } catch let failure as ConformanceFailure {
            return LawResult(component: component, law: law.rawValue, failure: failure)
        } catch {
            return LawResult(
                component: component, law: law.rawValue,
                failure: ConformanceFailure(component: component, law: law.rawValue, details: "threw \(error)", seed: 0))
        }
    }
}
