/// The stable, dotted name of a parameter tensor, such as `encoder.lstm.weightHH`.
///
/// Keys are how gradients, optimizer moments, masks, checkpoints and reports find a parameter, so a
/// layer must give each of its tensors the same key every time. Composites prefix their children's
/// keys with the child's name (`encoder` + `lstm.weightHH`).
public struct ParameterKey: Hashable, Comparable, Codable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The dotted name.
    public let rawValue: String

    /// A key from its dotted name.
    ///
    /// - Precondition: the name is non-empty and has no empty component (no leading, trailing or
    ///   doubled dots).
    public init(_ rawValue: String) {
        precondition(ParameterKey.isValid(rawValue), "ParameterKey: \"\(rawValue)\" is not a dotted name with non-empty components")
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) { self.init(value) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard ParameterKey.isValid(raw) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(raw)\" is not a dotted parameter name with non-empty components")
        }
        rawValue = raw
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The dot-separated components.
    public var components: [Substring] { rawValue.split(separator: ".", omittingEmptySubsequences: false) }

    /// The last component (`weightHH` of `encoder.lstm.weightHH`).
    public var name: Substring { components.last! }

    /// This key followed by `child`: `"encoder".appending("lstm.weightHH")` is `encoder.lstm.weightHH`.
    public func appending(_ child: ParameterKey) -> ParameterKey { ParameterKey(rawValue + "." + child.rawValue) }

    /// Whether this key is `prefix` or lies below it (`encoder.lstm.weightHH` has prefix
    /// `encoder.lstm`, not `encoder.ls`).
    public func hasPrefix(_ prefix: ParameterKey) -> Bool {
        rawValue == prefix.rawValue || rawValue.hasPrefix(prefix.rawValue + ".")
    }

    public static func < (lhs: ParameterKey, rhs: ParameterKey) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { rawValue }

    private static func isValid(_ raw: String) -> Bool {
        !raw.isEmpty && !raw.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty)
    }
}
