/// A statically typed chain of layers built by ``LayerBuilder``: ``ChainLink`` for the first
/// layer, ``ChainedLayers`` for each following one, so a `Sequential` of n layers is a nested generic
/// type with no existentials on the hot path.
///
/// A layer at position i of the chain gets the key prefix `i` (`0.weight`, `2.bias`), unless it is
/// ``Named``, which brings its own prefix.
public protocol LayerChain: Layer {
    /// The number of layers in the chain.
    var layerCount: Int { get }
}

/// The prefix a layer at `position` gets: none for a ``Named`` layer, else the position.
func chainPrefix<L: Layer>(for layer: L, at position: Int) -> ParameterKey? {
    layer is any NamedLayer ? nil : ParameterKey(String(position))
}

/// Marks ``Named`` so chains can leave its own prefix alone.
protocol NamedLayer {}
extension Named: NamedLayer {}

extension ParameterContainer {
    func visitParameters(prefixedBy prefix: ParameterKey?, _ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try visitParameters { key, tensor in try visitor(prefix.map { $0.appending(key) } ?? key, tensor) }
    }

    mutating func updateParameters(prefixedBy prefix: ParameterKey?, _ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try updateParameters { key, tensor in try visitor(prefix.map { $0.appending(key) } ?? key, &tensor) }
    }
}

extension BufferContainer {
    func visitBuffers(prefixedBy prefix: ParameterKey?, _ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try visitBuffers { key, tensor in try visitor(prefix.map { $0.appending(key) } ?? key, tensor) }
    }

    mutating func updateBuffers(prefixedBy prefix: ParameterKey?, _ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try updateBuffers { key, tensor in try visitor(prefix.map { $0.appending(key) } ?? key, &tensor) }
    }
}

extension Layer {
    func backward(
        _ outputGradient: Tensor<Scalar>, cache: Cache, gradients: inout ParameterSet<Scalar>, prefixedBy prefix: ParameterKey?
    ) -> Tensor<Scalar> {
        guard let prefix else { return backward(outputGradient, cache: cache, gradients: &gradients) }
        return gradients.withScope(prefix) { backward(outputGradient, cache: cache, gradients: &$0) }
    }
}
