/// The state of an ``AnyGradientTransform``: the wrapped transform's concrete state, in a box.
///
/// It has value semantics: a copy is independent of the original. Stepping does not copy the
/// boxed state unless a copy of this value is alive (copy-on-write), so an optimizer's moments
/// keep their storage across steps.
///
/// Encodes as `{"type": <concrete state type>, "state": <concrete state>}`. Decoding looks the
/// type up in the ``AnyTransformStateDecoders`` found in the decoder's `userInfo` under
/// ``AnyTransformStateDecoders/userInfoKey`` (``AnyGradientTransform/decodeState(from:using:)``
/// puts them there).
public struct AnyTransformState: Codable, Sendable {
    var storage: AnyTransformStateStorage

    init(storage: AnyTransformStateStorage) {
        self.storage = storage
    }

    /// The name of the concrete state type.
    public var typeName: String { storage.typeName }

    /// Calls `body` with the concrete state if it is an `S`, without copying it; `nil` otherwise.
    public func withConcreteState<S: Codable & Sendable, R>(as type: S.Type, _ body: (S) throws -> R) rethrows -> R? {
        guard let concrete = storage as? ConcreteTransformStateStorage<S> else { return nil }
        return try body(concrete.value)
    }

    mutating func makeStorageUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    private enum CodingKeys: String, CodingKey {
        case type, state
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let typeName = try container.decode(String.self, forKey: .type)
        guard let decoders = decoder.userInfo[AnyTransformStateDecoders.userInfoKey] as? AnyTransformStateDecoders else {
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription:
                    "an erased transform state of type \(typeName) needs AnyTransformStateDecoders in the decoder's userInfo "
                    + "(use AnyGradientTransform.decodeState(from:using:))")
        }
        guard let decode = decoders.table[typeName] else {
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription:
                    "no decoder registered for the erased transform state type \(typeName); registered: \(decoders.table.keys.sorted())")
        }
        storage = try decode(try container.superDecoder(forKey: .state))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(storage.typeName, forKey: .type)
        try storage.encodeValue(to: container.superEncoder(forKey: .state))
    }
}
