/// A layer whose weight is spectrally normalized on every pass: the layer computes with
/// W_sn = W/σ(W) (see ``SpectralNormalizer``), and gradients flow back to the raw W.
///
/// ```swift
/// var layer = SpectralNormalized(Dense<Float>(inputSize: 64, outputSize: 64, generator: &generator),
///                                generator: &generator)
/// let sigma = layer.sigma   // the current estimate of the largest singular value of W
/// ```
///
/// **Shapes.** Those of the wrapped layer.
///
/// Parameter keys: the wrapped layer's (the raw weight keeps its key). Buffer keys: the wrapped
/// layer's, plus `spectralNorm.u` and `spectralNorm.v`.
public struct SpectralNormalized<Wrapped: Layer>: Layer {
    public typealias Scalar = Wrapped.Scalar

    /// The wrapped layer, holding the raw weight.
    public var layer: Wrapped
    /// The key of the normalized weight within the layer.
    public let weightKey: ParameterKey
    /// The power-iteration state and math.
    public var normalizer: SpectralNormalizer<Scalar>

    /// Normalizes the parameter `weightKey` of `layer` (default `weight`).
    public init<G: RandomNumberGenerator>(
        _ layer: Wrapped, weightKey: ParameterKey = "weight", powerIterations: Int = 1, epsilon: Scalar = 1e-12, generator: inout G
    ) {
        guard let weight = layer.parameters.tensor(for: weightKey) else {
            preconditionFailure("SpectralNormalized: the layer has no parameter \(weightKey); its keys are \(layer.parameters.keys.map(\.rawValue))")
        }
        self.layer = layer
        self.weightKey = weightKey
        self.normalizer = SpectralNormalizer(for: weight, powerIterations: powerIterations, epsilon: epsilon, generator: &generator)
    }

    /// The most recent estimate of the largest singular value of the raw weight.
    public var sigma: Scalar { normalizer.sigma }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try layer.visitParameters(visitor)
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try layer.updateParameters(visitor)
    }

    /// The layer as it computed (with W_sn), its cache, and the normalizer's cache.
    public struct Cache {
        var normalizedLayer: Wrapped
        var layerCache: Wrapped.Cache
        var normalization: SpectralNormalizer<Scalar>.Cache
    }

    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Cache) {
        let weight = layer.parameters[weightKey]
        let (normalizedWeight, normalization) = normalizer.normalize(weight, training: context.isTraining)
        var normalizedLayer = layer
        let key = weightKey
        normalizedLayer.updateParameters { parameterKey, tensor in
            if parameterKey == key { tensor = normalizedWeight }
        }
        let (output, layerCache) = normalizedLayer.forward(input, context: &context)
        // Keep state the wrapped layer updated during the pass (running statistics), not W_sn.
        let raw = weight
        var updated = normalizedLayer
        updated.updateParameters { parameterKey, tensor in
            if parameterKey == key { tensor = raw }
        }
        layer = updated
        return (output, Cache(normalizedLayer: normalizedLayer, layerCache: layerCache, normalization: normalization))
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Cache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        guard let index = gradients.index(of: weightKey) else {
            preconditionFailure("SpectralNormalized.backward: the gradient set has no entry \(weightKey)")
        }
        let accumulated = gradients.tensors[index]
        gradients[index] = .zeros(accumulated.shape)
        let inputGradient = cache.normalizedLayer.backward(outputGradient, cache: cache.layerCache, gradients: &gradients)
        let normalizedGradient = gradients.tensors[index]
        gradients[index] = accumulated + normalizer.backward(normalizedGradient, cache: cache.normalization)
        return inputGradient
    }
}

extension SpectralNormalized: BufferContainer where Wrapped: BufferContainer {
    public func visitBuffers(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try layer.visitBuffers(visitor)
        try visitor("spectralNorm.u", normalizer.u)
        try visitor("spectralNorm.v", normalizer.v)
    }

    public mutating func updateBuffers(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try layer.updateBuffers(visitor)
        try visitor("spectralNorm.u", &normalizer.u)
        try visitor("spectralNorm.v", &normalizer.v)
    }
}
