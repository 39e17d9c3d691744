/// A component broke a conformance law: which component, which law, what went wrong, the seed
/// that reproduces it and the smallest sample found that still fails.
///
/// Thrown by every suite's `check(_:)`, so it works the same from Swift Testing
/// (`#expect(throws: ConformanceFailure.self)`), from XCTest (`XCTAssertNoThrow`) and from a plain
/// executable (`do { … } catch let failure as ConformanceFailure { print(failure) }`).
public struct ConformanceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The component under test, e.g. `GlobalNormClipper<Float>`.
    public var component: String
    /// The law's name, e.g. `identityBelowBound` (the `rawValue` of the suite's law enum).
    public var law: String
    /// What was expected and what was found.
    public var details: String
    /// The seed of the suite's generator: running the suite again with it reproduces the failure.
    public var seed: UInt64
    /// The smallest failing sample found by shrinking (keys, shapes and, when small, values), if
    /// the law is checked on samples.
    public var sample: String?

    /// A failure of `law` by `component`, reproducible with `seed`, with the smallest failing
    /// `sample` when the law is checked on samples.
    public init(component: String, law: String, details: String, seed: UInt64, sample: String? = nil) {
        self.component = component
        self.law = law
        self.details = details
        self.seed = seed
        self.sample = sample
    }

    public var description: String {
        var text = "\(component) violates \(law) (seed \(seed)): \(details)"
        if let sample { text += "\n  smallest failing sample: \(sample)" }
        return text
    }
}

/// How a law ended for one component.
public enum LawStatus: String, Sendable, Hashable, Codable {
    /// The law was checked and held.
    case passed
    /// The law was checked and broken.
    case failed
    /// The law does not apply to this component (idempotence of a stateful clipper, direction of
    /// an elementwise one): nothing was checked.
    case notApplicable
    /// The law applies but the component gave the suite nothing to check against (an optimizer
    /// with neither a golden trajectory nor a reference, a cell without a declared Jacobian bound).
    case notVerified
}

/// The outcome of one law for one component, for summaries (`check-conformance` prints them).
///
/// Vacuous outcomes are never reported as passes: ``LawStatus/notApplicable`` and
/// ``LawStatus/notVerified`` print as such, with the reason.
public struct LawResult: Sendable, Hashable, CustomStringConvertible {
    /// The component under test.
    public var component: String
    /// The law's name.
    public var law: String
    /// The failure, or nil when the law did not fail.
    public var failure: ConformanceFailure?
    /// How the law ended.
    public var status: LawStatus
    /// Why the law was not checked, or what a passing check measured (e.g. the spectral radius).
    public var note: String?

    /// The result of `law` for `component`: failed with `failure`, or passed when it is `nil`.
    public init(component: String, law: String, failure: ConformanceFailure?) {
        self.init(component: component, law: law, status: failure == nil ? .passed : .failed, failure: failure)
    }

    /// A result with an explicit status and note.
    public init(component: String, law: String, status: LawStatus, failure: ConformanceFailure? = nil, note: String? = nil) {
        self.component = component
        self.law = law
        self.status = status
        self.failure = failure
        self.note = note
    }

    /// Whether the law did not fail (passed, not applicable or not verified).
    public var passed: Bool { failure == nil }

    /// Whether the law was checked and held.
    public var verified: Bool { status == .passed }

    public var description: String {
        switch status {
        case .passed: "✔ \(component): \(law)" + (note.map { " (\($0))" } ?? "")
        case .failed: "✘ \(failure?.description ?? "\(component): \(law)")"
        case .notApplicable: "– \(component): \(law) not applicable" + (note.map { " (\($0))" } ?? "")
        case .notVerified: "? \(component): \(law) not verified" + (note.map { " (\($0))" } ?? "")
        }
    }

    /// Throws the failure, if any.
    public func throwIfFailed() throws {
        if let failure { throw failure }
    }
}

/// A named law of a conformance suite. Each suite's laws form a `CaseIterable` enum, so a test can
/// run one test case per law: `@Test(arguments: GradientClipperLaw.allCases)`.
public protocol ConformanceLaw: RawRepresentable<String>, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// One sentence saying what the law demands.
    var summary: String { get }
}

extension ConformanceLaw {
    public var description: String { rawValue }
}

/// A law ended without a failure but without a plain pass: thrown by a law's body to record
/// ``LawStatus/notApplicable``, ``LawStatus/notVerified``, or a pass with a measurement.
enum LawEnding: Error {
    case notApplicable(String)
    case notVerified(String)
    case passed(note: String)
}

/// A law's check failed: the details, and the sample it failed on (for shrinking).
struct Violation: Error {
    var details: String
    var sample: String?

    init(_ details: String, sample: String? = nil) {
        self.details = details
        self.sample = sample
    }
}
