/// Something that owns parameter tensors under stable keys: a layer, a cell, a whole model.
///
/// A container lists its tensors explicitly (no `Mirror` reflection): visiting must produce the
/// same keys in the same order every time, so index `i` of ``parameters`` always names the same
/// tensor. Composites visit their children with the child's name as a key prefix.
///
/// ```swift
/// struct Affine: ParameterContainer {
///     var weight: Tensor<Float>
///     var bias: Tensor<Float>
///
///     func visitParameters(_ visitor: (ParameterKey, Tensor<Float>) throws -> Void) rethrows {
///         try visitor("weight", weight)
///         try visitor("bias", bias)
///     }
///
///     mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Float>) throws -> Void) rethrows {
///         try visitor("weight", &weight)
///         try visitor("bias", &bias)
///     }
/// }
/// ```
public protocol ParameterContainer<Scalar> {
    associatedtype Scalar: TensorScalar

    /// Calls `visitor` once for every parameter tensor, in a fixed order, with its key relative
    /// to this container.
    func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows

    /// Calls `visitor` once for every parameter tensor, in the same order and with the same keys
    /// as ``visitParameters(_:)``, letting it replace the tensor. Visitors keep shapes unchanged.
    mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows
}

extension ParameterContainer {
    /// All parameters, in visiting order.
    public var parameters: ParameterSet<Scalar> {
        var result = ParameterSet<Scalar>()
        visitParameters { key, tensor in result.append(tensor, for: key) }
        return result
    }

    /// The total number of scalars in all parameters.
    public var parameterCount: Int {
        var count = 0
        visitParameters { _, tensor in count += tensor.scalarCount }
        return count
    }

    /// Replaces every parameter with the tensor under the same key in `source` (a checkpoint, say).
    ///
    /// Nothing changes unless every key is present with the right shape and `source` has no extra
    /// keys.
    ///
    /// - Throws: ``ParameterLoadingError`` naming the first missing key, the first shape mismatch,
    ///   or the unexpected keys.
    public mutating func loadParameters(_ source: ParameterSet<Scalar>) throws {
        var expected: [ParameterKey] = []
        try visitParameters { key, tensor in
            guard let replacement = source.tensor(for: key) else { throw ParameterLoadingError.missingKey(key) }
            guard replacement.shape == tensor.shape else {
                throw ParameterLoadingError.shapeMismatch(key: key, expected: tensor.shape, found: replacement.shape)
            }
            expected.append(key)
        }
        let unexpected = source.keys.filter { !Set(expected).contains($0) }
        guard unexpected.isEmpty else { throw ParameterLoadingError.unexpectedKeys(unexpected) }
        updateParameters { key, tensor in tensor = source[key] }
    }

    /// Adds `update` (scaled by `alpha`) to the parameters, matching tensors by position.
    ///
    /// - Precondition: `update` has this container's keys in order with the same shapes.
    public mutating func applyUpdate(_ update: ParameterSet<Scalar>, scaledBy alpha: Scalar = 1) {
        var index = 0
        updateParameters { key, tensor in
            precondition(
                index < update.count && update.keys[index] == key,
                "applyUpdate: update does not match the parameters at \(key)")
            tensor.addScaled(update.tensors[index], by: alpha)
            index += 1
        }
        precondition(index == update.count, "applyUpdate: update has \(update.count) tensors, parameters \(index)")
    }
}

/// Why a parameter set could not be loaded into a container.
public enum ParameterLoadingError: Error, Equatable, CustomStringConvertible {
    /// The container has a parameter the source lacks.
    case missingKey(ParameterKey)
    /// The source's tensor has another shape than the container's.
    case shapeMismatch(key: ParameterKey, expected: [Int], found: [Int])
    /// The source has parameters the container does not.
    case unexpectedKeys([ParameterKey])

    public var description: String {
        switch self {
        case .missingKey(let key):
            "parameter \(key) is missing from the source"
        case .shapeMismatch(let key, let expected, let found):
            "parameter \(key) has shape \(found) in the source, but the model expects \(expected)"
        case .unexpectedKeys(let keys):
            "the source has parameters the model does not: \(keys.map(\.rawValue).joined(separator: ", "))"
        }
    }
}
