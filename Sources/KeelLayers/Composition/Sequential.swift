/// Layers applied one after the other, with a derived backward pass.
///
/// ```swift
/// var generator = Xoshiro256StarStar(seed: 42)
/// var model = Sequential {
///     Dense<Float>(inputSize: 8, outputSize: 32, generator: &generator)
///     Tanh<Float>()
///     named("head", Dense<Float>(inputSize: 32, outputSize: 1, generator: &generator))
/// }
/// // parameter keys: 0.weight, 0.bias, head.weight, head.bias
/// ```
///
/// **Shapes.** Input of the first layer, output of the last.
///
/// The body is a ``LayerChain``, a nested generic type, so every call is statically dispatched.
/// Keys are the layer's position followed by its own key (`0.weight`), or the ``Named`` prefix.
public struct Sequential<Body: LayerChain>: Layer {
    public typealias Scalar = Body.Scalar

    /// The chain of layers.
    public var body: Body

    /// The layers the builder lists, applied in order.
    public init(@LayerBuilder _ content: () -> Body) { body = content() }

    /// A model running an already built chain.
    public init(body: Body) { self.body = body }

    /// The number of layers.
    public var layerCount: Int { body.layerCount }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try body.visitParameters(visitor)
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try body.updateParameters(visitor)
    }

    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Body.Cache) {
        body.forward(input, context: &context)
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Body.Cache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        body.backward(outputGradient, cache: cache, gradients: &gradients)
    }
}

extension Sequential: BufferContainer where Body: BufferContainer {
    public func visitBuffers(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try body.visitBuffers(visitor)
    }

    public mutating func updateBuffers(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try body.updateBuffers(visitor)
    }
}
