/// A layer whose parameter and buffer keys are prefixed with `name`: inside a ``Sequential``,
/// `.named("encoder", Dense(…))` gives `encoder.weight` instead of `0.weight`.
///
/// **Shapes.** Those of the wrapped layer.
public struct Named<Wrapped: Layer>: Layer {
    public typealias Scalar = Wrapped.Scalar

    /// The key prefix.
    public var name: ParameterKey
    /// The wrapped layer.
    public var layer: Wrapped

    /// `layer` under the key prefix `name`.
    public init(_ name: ParameterKey, _ layer: Wrapped) {
        self.name = name
        self.layer = layer
    }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try layer.visitParameters { try visitor(name.appending($0), $1) }
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        let name = name
        try layer.updateParameters { try visitor(name.appending($0), &$1) }
    }

    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Wrapped.Cache) {
        layer.forward(input, context: &context)
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Wrapped.Cache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        gradients.withScope(name) { layer.backward(outputGradient, cache: cache, gradients: &$0) }
    }
}

extension Named: BufferContainer where Wrapped: BufferContainer {
    public func visitBuffers(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try layer.visitBuffers { try visitor(name.appending($0), $1) }
    }

    public mutating func updateBuffers(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        let name = name
        try layer.updateBuffers { try visitor(name.appending($0), &$1) }
    }
}

extension Layer {
    /// This layer with its keys prefixed by `name` (see ``Named``).
    public func named(_ name: ParameterKey) -> Named<Self> { Named(name, self) }
}

/// `layer` with its keys prefixed by `name`, for use inside a ``Sequential`` builder:
/// `named("encoder", Dense(…))`.
public func named<Wrapped: Layer>(_ name: ParameterKey, _ layer: Wrapped) -> Named<Wrapped> { Named(name, layer) }
