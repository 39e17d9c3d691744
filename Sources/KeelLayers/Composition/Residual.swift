/// A residual block: y = inner(x) + x, or y = inner(x) + projection(x) when the shapes differ.
///
/// **Shapes.** Input `[…, features]`; `inner` must map it to the same shape unless a
/// `projection` (a ``Dense`` from the input width to the inner output width) is given.
///
/// **Backward:** ∂L/∂x = inner′ᵀ·∂L/∂y + ∂L/∂y (or + projection′ᵀ·∂L/∂y).
///
/// Parameter keys: `inner.…`, and `projection.weight` (`projection.bias`) with a projection.
///
/// ## References
/// - K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image Recognition", CVPR 2016.
public struct Residual<Inner: Layer>: Layer {
    public typealias Scalar = Inner.Scalar

    /// The residual branch.
    public var inner: Inner
    /// The skip path's linear map, or `nil` for the identity.
    public var projection: Dense<Scalar>?

    /// A block y = inner(x) + x, or inner(x) + projection(x) with a projection.
    public init(_ inner: Inner, projection: Dense<Scalar>? = nil) {
        self.inner = inner
        self.projection = projection
    }

    /// A block whose branch is the layers the builder lists, applied in order.
    public init<Body: LayerChain>(projection: Dense<Scalar>? = nil, @LayerBuilder _ content: () -> Body) where Inner == Sequential<Body> {
        self.init(Sequential(body: content()), projection: projection)
    }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try inner.visitParameters(prefixedBy: "inner", visitor)
        try projection?.visitParameters(prefixedBy: "projection", visitor)
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try inner.updateParameters(prefixedBy: "inner", visitor)
        if projection != nil { try projection!.updateParameters(prefixedBy: "projection", visitor) }
    }

    /// The branch's cache and, with a projection, the projection's.
    public struct Cache {
        var inner: Inner.Cache
        var projection: Dense<Scalar>.Cache?
    }

    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Cache) {
        let (branch, innerCache) = inner.forward(input, context: &context)
        var skip = input
        var projectionCache: Dense<Scalar>.Cache?
        if let projection {
            (skip, projectionCache) = projection.forward(input, context: &context)
        }
        precondition(
            branch.shape == skip.shape,
            "Residual: the inner output shape \(branch.shape) differs from the skip path's shape \(skip.shape)\(projection == nil ? " (add a projection)" : "")")
        return (branch + skip, Cache(inner: innerCache, projection: projectionCache))
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Cache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        var inputGradient = inner.backward(outputGradient, cache: cache.inner, gradients: &gradients, prefixedBy: "inner")
        if let projection, let projectionCache = cache.projection {
            inputGradient += projection.backward(outputGradient, cache: projectionCache, gradients: &gradients, prefixedBy: "projection")
        } else {
            inputGradient += outputGradient
        }
        return inputGradient
    }
}

extension Residual: BufferContainer where Inner: BufferContainer {
    public func visitBuffers(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try inner.visitBuffers(prefixedBy: "inner", visitor)
    }

    public mutating func updateBuffers(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try inner.updateBuffers(prefixedBy: "inner", visitor)
    }
}
