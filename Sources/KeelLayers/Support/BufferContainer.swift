/// Something that owns non-trainable state tensors, such as BatchNorm's running statistics or
/// spectral normalization's power-iteration vectors.
///
/// Buffers are not parameters: optimizers never see them and they get no gradients. They change
/// during training forward passes and belong in checkpoints, which read them through ``buffers``
/// and restore them with ``loadBuffers(_:)``. Composites list their children's buffers under the
/// same key prefixes as their parameters. A container without state keeps the default (empty)
/// implementations.
public protocol BufferContainer<Scalar> {
    associatedtype Scalar: TensorScalar

    /// Calls `visitor` for every buffer, in a fixed order, with its key relative to this container.
    func visitBuffers(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows

    /// Calls `visitor` for every buffer, in the order and with the keys of ``visitBuffers(_:)``,
    /// letting it replace the tensor (same shape).
    mutating func updateBuffers(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows
}

extension BufferContainer {
    public func visitBuffers(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {}
    public mutating func updateBuffers(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {}

    /// All buffers, in visiting order (what a checkpoint stores besides the parameters).
    public var buffers: ParameterSet<Scalar> {
        var result = ParameterSet<Scalar>()
        visitBuffers { key, tensor in result.append(tensor, for: key) }
        return result
    }

    /// Replaces every buffer with the tensor under the same key in `source`.
    ///
    /// Nothing changes unless every key is present with the right shape and `source` has no
    /// extra keys.
    ///
    /// - Throws: `ParameterLoadingError` naming the missing key, the mismatched shape or the
    ///   unexpected keys.
    public mutating func loadBuffers(_ source: ParameterSet<Scalar>) throws {
        var expected: Set<ParameterKey> = []
        try visitBuffers { key, tensor in
            guard let replacement = source.tensor(for: key) else { throw ParameterLoadingError.missingKey(key) }
            guard replacement.shape == tensor.shape else {
                throw ParameterLoadingError.shapeMismatch(key: key, expected: tensor.shape, found: replacement.shape)
            }
            expected.insert(key)
        }
        let unexpected = source.keys.filter { !expected.contains($0) }
        guard unexpected.isEmpty else { throw ParameterLoadingError.unexpectedKeys(unexpected) }
        updateBuffers { key, tensor in tensor = source[key] }
    }
}
