/// The first layer of a ``LayerChain``, under the key prefix `0` (or its ``Named`` prefix).
///
/// **Shapes.** Those of `layer`.
public struct ChainLink<First: Layer>: LayerChain {
    public typealias Scalar = First.Scalar

    /// The layer.
    public var layer: First
    let prefix: ParameterKey?

    /// A chain of one layer.
    public init(_ layer: First) {
        self.layer = layer
        self.prefix = chainPrefix(for: layer, at: 0)
    }

    /// The number of layers in the chain.
    public var layerCount: Int { 1 }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try layer.visitParameters(prefixedBy: prefix, visitor)
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try layer.updateParameters(prefixedBy: prefix, visitor)
    }

    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: First.Cache) {
        layer.forward(input, context: &context)
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: First.Cache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        layer.backward(outputGradient, cache: cache, gradients: &gradients, prefixedBy: prefix)
    }
}

extension ChainLink: BufferContainer where First: BufferContainer {
    public func visitBuffers(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try layer.visitBuffers(prefixedBy: prefix, visitor)
    }

    public mutating func updateBuffers(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try layer.updateBuffers(prefixedBy: prefix, visitor)
    }
}
