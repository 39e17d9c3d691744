import Foundation

/// The state decoders ``AnyTransformState`` needs, by concrete state type name.
public struct AnyTransformStateDecoders: Sendable {
    /// Where ``AnyTransformState/init(from:)`` looks for the decoders.
    public static let userInfoKey = CodingUserInfoKey(rawValue: "keel.anyTransformStateDecoders")!

    var table: [String: @Sendable (any Decoder) throws -> AnyTransformStateStorage] = [:]

    /// No decoders.
    public init() {}

    /// Decoders for the states of `transforms`.
    public init<Scalar>(_ transforms: [AnyGradientTransform<Scalar>]) {
        for transform in transforms { transform.registerStateDecoder(in: &self) }
    }

    /// Adds the decoders of `other`.
    public mutating func merge(_ other: AnyTransformStateDecoders) {
        table.merge(other.table) { _, new in new }
    }

    /// Puts these decoders in `decoder.userInfo`.
    public func install(in decoder: JSONDecoder) {
        decoder.userInfo[Self.userInfoKey] = self
    }
}
