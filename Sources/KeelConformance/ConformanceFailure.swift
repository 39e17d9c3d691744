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

/// The outcome of one law for one component, for summaries (`check-conformance` prints them).
public struct LawResult: Sendable, Hashable, CustomStringConvertible {
    /// The component under test.
    public var component: String
    /// The law's name.
    public var law: String
    /// The failure, or nil when the law held.
    public var failure: ConformanceFailure?

    /// The result of `law` for `component`: `failure`, or `nil` when the law held.
    public init(component: String, law: String, failure: ConformanceFailure?) {
        self.component = component
        self.law = law
        self.failure = failure
    }

    /// Whether the law held.
    public var passed: Bool { failure == nil }

    public var description: String {
        passed ? "✔ \(component): \(law)" : "✘ \(failure!.description)"
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

/// A law's check failed: the details, and the sample it failed on (for shrinking).
struct Violation: Error {
    var details: String
    var sample: String?

    init(_ details: String, sample: String? = nil) {
        self.details = details
        self.sample = sample
    }
}
