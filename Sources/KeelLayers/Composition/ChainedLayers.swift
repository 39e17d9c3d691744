/// A ``LayerChain`` followed by one more layer: y = next(head(x)). Its backward runs `next`'s
/// backward, then `head`'s, with the intermediate gradient.
///
/// **Shapes.** Input of `head`, output of `next`; `head`'s output must be `next`'s input.
public struct ChainedLayers<Head: LayerChain, Next: Layer>: LayerChain where Head.Scalar == Next.Scalar {
    public typealias Scalar = Head.Scalar

    /// The layers before the last.
    public var head: Head
    /// The last layer.
    public var next: Next
    let prefix: ParameterKey?

    /// Appends `next` to the chain `head`.
    public init(_ head: Head, _ next: Next) {
        self.head = head
        self.next = next
        self.prefix = chainPrefix(for: next, at: head.layerCount)
    }

    /// The number of layers in the chain.
    public var layerCount: Int { head.layerCount + 1 }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try head.visitParameters(visitor)
        try next.visitParameters(prefixedBy: prefix, visitor)
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try head.updateParameters(visitor)
        try next.updateParameters(prefixedBy: prefix, visitor)
    }

    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: (Head.Cache, Next.Cache)) {
        let (hidden, headCache) = head.forward(input, context: &context)
        let (output, nextCache) = next.forward(hidden, context: &context)
        return (output, (headCache, nextCache))
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: (Head.Cache, Next.Cache), gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        let hiddenGradient = next.backward(outputGradient, cache: cache.1, gradients: &gradients, prefixedBy: prefix)
        return head.backward(hiddenGradient, cache: cache.0, gradients: &gradients)
    }
}

extension ChainedLayers: BufferContainer where Head: BufferContainer, Next: BufferContainer, Head.Scalar == Next.Scalar {
    public func visitBuffers(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try head.visitBuffers(visitor)
        try next.visitBuffers(prefixedBy: prefix, visitor)
    }

    public mutating func updateBuffers(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try head.updateBuffers(visitor)
        try next.updateBuffers(prefixedBy: prefix, visitor)
    }
}
