/// An ordered, index-stable collection of named tensors: a model's parameters, their gradients, an
/// update, or an optimizer's moments.
///
/// Order is insertion order and never changes, so index `i` names the same parameter in the
/// parameters, the gradients and every moment set derived from them (`zerosLike()`, `map`). Look
/// a tensor up by ``ParameterKey`` (a hash lookup) or by index (an array access) on hot paths.
///
/// ```swift
/// var gradients = model.parameters.zerosLike()
/// let norm = gradients.globalNorm()          // √(Σ over all tensors of Σ g²)
/// gradients.scale(by: min(1, 1 / norm))      // global-norm clipping at 1
/// ```
public struct ParameterSet<Scalar: TensorScalar>: Sendable {
    /// The keys, in order.
    public private(set) var keys: [ParameterKey] = []
    /// The tensors, in the order of `keys`.
    public internal(set) var tensors: [Tensor<Scalar>] = []
    private var indexByKey: [ParameterKey: Int] = [:]

    /// An empty set.
    public init() {}

    /// A set holding the pairs in order.
    ///
    /// - Precondition: keys are unique.
    public init(_ pairs: [(ParameterKey, Tensor<Scalar>)]) {
        for (key, tensor) in pairs { append(tensor, for: key) }
    }

    /// The number of tensors.
    public var count: Int { tensors.count }

    /// Whether there are no tensors.
    public var isEmpty: Bool { tensors.isEmpty }

    /// The total number of scalars in all tensors.
    public var scalarCount: Int { tensors.reduce(0) { $0 + $1.scalarCount } }

    /// Adds `tensor` under `key` at the end.
    ///
    /// - Precondition: `key` is not in the set yet.
    public mutating func append(_ tensor: Tensor<Scalar>, for key: ParameterKey) {
        precondition(indexByKey[key] == nil, "ParameterSet.append: duplicate key \(key)")
        indexByKey[key] = tensors.count
        keys.append(key)
        tensors.append(tensor)
    }

    /// The position of `key`, or `nil` when it is not in the set.
    public func index(of key: ParameterKey) -> Int? { indexByKey[key] }

    /// Whether `key` is in the set.
    public func contains(_ key: ParameterKey) -> Bool { indexByKey[key] != nil }

    /// The tensor under `key`, or `nil`.
    public func tensor(for key: ParameterKey) -> Tensor<Scalar>? { indexByKey[key].map { tensors[$0] } }

    /// The tensor under `key`. Assigning replaces it; the shape may not change.
    ///
    /// - Precondition: `key` is in the set.
    public subscript(key: ParameterKey) -> Tensor<Scalar> {
        get { tensors[requireIndex(of: key)] }
        set { self[requireIndex(of: key)] = newValue }
    }

    /// The tensor at `index`. Assigning replaces it; the shape may not change.
    public subscript(index: Int) -> Tensor<Scalar> {
        get { tensors[index] }
        set {
            precondition(
                newValue.shape == tensors[index].shape,
                "ParameterSet: cannot replace \(keys[index]) of shape \(tensors[index].shape) with shape \(newValue.shape)")
            tensors[index] = newValue
        }
    }

    /// Mutates the tensor at `index` in place (no copy of its storage when it is not shared).
    public mutating func withTensor<R>(at index: Int, _ body: (inout Tensor<Scalar>) throws -> R) rethrows -> R {
        let shape = tensors[index].shape
        let result = try body(&tensors[index])
        precondition(tensors[index].shape == shape, "ParameterSet.withTensor: the shape of \(keys[index]) changed")
        return result
    }

    /// Whether `other` has the same keys in the same order with the same shapes.
    public func hasSameStructure<Other: TensorScalar>(as other: ParameterSet<Other>) -> Bool {
        keys == other.keys && zip(tensors, other.tensors).allSatisfy { $0.shape == $1.shape }
    }

    /// A set with the same keys and shapes, every tensor zero (for gradients and moments).
    public func zerosLike() -> ParameterSet {
        map { Tensor.zeros(like: $0) }
    }

    /// A set with the same keys whose tensors are `transform` of this set's.
    public func map(_ transform: (Tensor<Scalar>) throws -> Tensor<Scalar>) rethrows -> ParameterSet {
        var result = self
        for index in tensors.indices { result.tensors[index] = try transform(tensors[index]) }
        return result
    }

    /// The set restricted to the keys `isIncluded` accepts, in the same order.
    public func filter(_ isIncluded: (ParameterKey) throws -> Bool) rethrows -> ParameterSet {
        var result = ParameterSet()
        for (key, tensor) in zip(keys, tensors) where try isIncluded(key) { result.append(tensor, for: key) }
        return result
    }

    private func requireIndex(of key: ParameterKey) -> Int {
        guard let index = indexByKey[key] else {
            preconditionFailure("ParameterSet: no parameter \(key); keys are \(keys.map(\.rawValue))")
        }
        return index
    }
}

extension ParameterSet: RandomAccessCollection {
    public typealias Element = (key: ParameterKey, tensor: Tensor<Scalar>)
    public var startIndex: Int { 0 }
    public var endIndex: Int { tensors.count }
    public subscript(position: Int) -> Element { (keys[position], tensors[position]) }
}

extension ParameterSet: Equatable {
    public static func == (lhs: ParameterSet, rhs: ParameterSet) -> Bool {
        lhs.keys == rhs.keys && lhs.tensors == rhs.tensors
    }
}

extension ParameterSet: Codable {
    private struct Entry: Codable {
        var key: ParameterKey
        var tensor: Tensor<Scalar>
    }

    /// Decodes an ordered list of `{key, tensor}` entries; a repeated key is a
    /// `DecodingError.dataCorrupted` naming it.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        while !container.isAtEnd {
            let entry = try container.decode(Entry.self)
            guard !contains(entry.key) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "parameter set repeats the key \(entry.key)")
            }
            append(entry.tensor, for: entry.key)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for (key, tensor) in zip(keys, tensors) { try container.encode(Entry(key: key, tensor: tensor)) }
    }
}
