/// Layer normalization over the last axis, as PyTorch's `LayerNorm(normalizedShape: [features])`.
///
/// **Shapes.** Input `[…, features]`; the output has the input's shape. `scale` (γ) and `offset`
/// (β) are `[features]`.
///
/// For each row x of D features: μ = mean(x), σ² = mean((x − μ)²) (biased),
/// x̂ = (x − μ)/√(σ² + ε), y = γx̂ + β. Training and inference behave the same.
///
/// **Backward:** with g = γ·∂L/∂y (per row), ∂L/∂x = (g − mean(g) − x̂·mean(g·x̂))/√(σ² + ε);
/// ∂L/∂γ = Σ_rows ∂L/∂y·x̂, ∂L/∂β = Σ_rows ∂L/∂y.
///
/// Parameter keys: `scale`, `offset` (when affine).
///
/// ## References
/// - J. L. Ba, J. R. Kiros, G. E. Hinton, "Layer Normalization", arXiv:1607.06450, 2016.
public struct LayerNorm<Scalar: TensorScalar>: Layer, BufferContainer {
    /// The number of features (the last axis).
    public let featureCount: Int
    /// Added to the variance before the square root (PyTorch's default 1e-5).
    public var epsilon: Scalar
    /// γ, `[features]`, or `nil` without affine transform.
    public var scale: Tensor<Scalar>?
    /// β, `[features]`, or `nil` without affine transform.
    public var offset: Tensor<Scalar>?

    /// A layer normalizing rows of `featureCount` features; γ = 1, β = 0 when `affine`.
    public init(featureCount: Int, epsilon: Scalar = 1e-5, affine: Bool = true) {
        precondition(featureCount > 0, "LayerNorm: featureCount must be positive, got \(featureCount)")
        self.featureCount = featureCount
        self.epsilon = epsilon
        self.scale = affine ? .ones([featureCount]) : nil
        self.offset = affine ? .zeros([featureCount]) : nil
    }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        if let scale, let offset {
            try visitor("scale", scale)
            try visitor("offset", offset)
        }
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        if scale != nil && offset != nil {
            try visitor("scale", &scale!)
            try visitor("offset", &offset!)
        }
    }

    /// x̂ `[rows, features]`, 1/√(σ² + ε) `[rows, 1]` and the input shape.
    public struct Cache: Sendable {
        var normalized: Tensor<Scalar>
        var inverseStandardDeviation: Tensor<Scalar>
        var inputShape: [Int]
    }

    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Cache) {
        precondition(
            input.rank >= 1 && input.shape[input.rank - 1] == featureCount,
            "LayerNorm: input shape \(input.shape) does not end in featureCount \(featureCount)")
        let rows = input.reshaped(to: [-1, featureCount])
        let centered = rows - rows.mean(alongAxis: 1, keepingDimension: true)
        let inverseStandardDeviation = 1 / (centered.squared().mean(alongAxis: 1, keepingDimension: true) + epsilon).squareRoot()
        let normalized = centered * inverseStandardDeviation
        var output = normalized
        if let scale, let offset { output = output * scale + offset }
        return (output.reshaped(to: input.shape), Cache(normalized: normalized, inverseStandardDeviation: inverseStandardDeviation, inputShape: input.shape))
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Cache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        precondition(outputGradient.shape == cache.inputShape, "LayerNorm.backward: output gradient shape \(outputGradient.shape) differs from the output shape \(cache.inputShape)")
        let rows = outputGradient.reshaped(to: [-1, featureCount])
        var g = rows
        if let scale {
            gradients.accumulate("scale") { $0 += (rows * cache.normalized).sum(alongAxis: 0) }
            gradients.accumulate("offset") { $0 += rows.sum(alongAxis: 0) }
            g = rows * scale
        }
        let meanG = g.mean(alongAxis: 1, keepingDimension: true)
        let meanGX = (g * cache.normalized).mean(alongAxis: 1, keepingDimension: true)
        return ((g - meanG - cache.normalized * meanGX) * cache.inverseStandardDeviation).reshaped(to: cache.inputShape)
    }
}
