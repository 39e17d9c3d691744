/// A failure of a `keel` command that the user can fix: the message says what and where.
public struct CommandError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong and where, as printed to the user.
    public var message: String

    /// An error with the given user-facing `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Invalid training options, every problem at once: "config.json: 3 problems: …; …; …".
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where the options came from (a file name, or "command line").
    public var source: String
    /// Every problem found, each a sentence fragment naming the option.
    public var problems: [String]

    /// The `problems` of the options read from `source`.
    public init(source: String, problems: [String]) {
        self.source = source
        self.problems = problems
    }

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "\(source): \(count): " + problems.joined(separator: "; ")
    }
}

/// The choice closest to `value` by edit distance, if it is close enough to be a typo.
package func closestMatch(to value: String, in choices: [String]) -> String? {
    let lowered = value.lowercased()
    let scored = choices.map { ($0, editDistance(lowered, $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, best.0.count / 3) ? best.0 : nil
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
