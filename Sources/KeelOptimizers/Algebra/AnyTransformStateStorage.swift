/// The heap box behind ``AnyTransformState``.
class AnyTransformStateStorage: @unchecked Sendable {
    let typeName: String

    init(typeName: String) {
        self.typeName = typeName
    }

    func copy() -> AnyTransformStateStorage { fatalError("AnyTransformStateStorage.copy is abstract") }
    func encodeValue(to encoder: any Encoder) throws { fatalError("AnyTransformStateStorage.encodeValue is abstract") }
}

// Mutated only through AnyGradientTransform.apply after makeStorageUnique, so one value at a time.
final class ConcreteTransformStateStorage<Value: Codable & Sendable>: AnyTransformStateStorage, @unchecked Sendable {
    var value: Value

    init(_ value: Value, typeName: String) {
        self.value = value
        super.init(typeName: typeName)
    }

    override func copy() -> AnyTransformStateStorage { ConcreteTransformStateStorage(value, typeName: typeName) }
    override func encodeValue(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
