/// Batch normalization over the feature axis, with exactly the semantics of PyTorch's
/// `BatchNorm1d`.
///
/// **Shapes.** Input `[batch, features]` or `[time, batch, features]` (statistics are then taken
/// over time and batch together, N = time·batch rows); the output has the input's shape.
/// `scale` (γ), `offset` (β), `runningMean` and `runningVariance` are `[features]`.
///
/// **Training** (N rows per feature):
/// μ = (1/N)Σxᵢ, σ²_B = (1/N)Σ(xᵢ − μ)² (biased), x̂ = (x − μ)/√(σ²_B + ε), y = γx̂ + β;
/// the running statistics move by `momentum` m:
/// running_mean ← (1 − m)·running_mean + m·μ,
/// running_var ← (1 − m)·running_var + m·σ²_B·N/(N − 1) (the **unbiased** batch variance).
///
/// **Inference:** x̂ = (x − running_mean)/√(running_var + ε), y = γx̂ + β.
///
/// **Backward (training):** with g = γ·∂L/∂y,
/// ∂L/∂x = (1/√(σ²_B + ε))·(g − mean(g) − x̂·mean(g·x̂)), ∂L/∂γ = Σ ∂L/∂y·x̂, ∂L/∂β = Σ ∂L/∂y.
/// In inference the statistics are constants: ∂L/∂x = g/√(running_var + ε).
///
/// Parameter keys: `scale`, `offset` (when affine). Buffer keys: `runningMean`,
/// `runningVariance` (see ``BufferContainer``).
///
/// ## References
/// - S. Ioffe, C. Szegedy, "Batch Normalization: Accelerating Deep Network Training by Reducing
///   Internal Covariate Shift", ICML 2015.
public struct BatchNorm<Scalar: TensorScalar>: Layer, BufferContainer {
    /// The number of features (the last axis).
    public let featureCount: Int
    /// Weight of the current batch in the running statistics (PyTorch's default 0.1).
    public var momentum: Scalar
    /// Added to the variance before the square root.
    public var epsilon: Scalar
    /// γ, `[features]`, or `nil` without affine transform.
    public var scale: Tensor<Scalar>?
    /// β, `[features]`, or `nil` without affine transform.
    public var offset: Tensor<Scalar>?
    /// The running mean, `[features]` (starts at 0). State, not a parameter.
    public var runningMean: Tensor<Scalar>
    /// The running unbiased variance, `[features]` (starts at 1). State, not a parameter.
    public var runningVariance: Tensor<Scalar>

    /// A layer normalizing `featureCount` features; γ = 1, β = 0 when `affine`.
    public init(featureCount: Int, momentum: Scalar = 0.1, epsilon: Scalar = 1e-5, affine: Bool = true) {
        precondition(featureCount > 0, "BatchNorm: featureCount must be positive, got \(featureCount)")
        self.featureCount = featureCount
        self.momentum = momentum
        self.epsilon = epsilon
        self.scale = affine ? .ones([featureCount]) : nil
        self.offset = affine ? .zeros([featureCount]) : nil
        self.runningMean = .zeros([featureCount])
        self.runningVariance = .ones([featureCount])
    }

    /// Whether the layer has the learnable γ and β.
    public var isAffine: Bool { scale != nil }

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

    public func visitBuffers(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("runningMean", runningMean)
        try visitor("runningVariance", runningVariance)
    }

    public mutating func updateBuffers(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("runningMean", &runningMean)
        try visitor("runningVariance", &runningVariance)
    }

    /// What backward needs: x̂ `[rows, features]`, 1/√(σ² + ε) `[features]`, the input shape and
    /// whether batch statistics were used.
    public struct Cache: Sendable {
        var normalized: Tensor<Scalar>
        var inverseStandardDeviation: Tensor<Scalar>
        var inputShape: [Int]
        var usedBatchStatistics: Bool
    }

    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Cache) {
        precondition(
            (input.rank == 2 || input.rank == 3) && input.shape[input.rank - 1] == featureCount,
            "BatchNorm: input shape \(input.shape) must be [batch, \(featureCount)] or [time, batch, \(featureCount)]")
        let rows = input.reshaped(to: [-1, featureCount])
        let count = rows.shape[0]
        let normalized: Tensor<Scalar>
        let inverseStandardDeviation: Tensor<Scalar>
        if context.isTraining {
            precondition(count > 1, "BatchNorm: training needs more than one value per feature, got input shape \(input.shape)")
            let mean = rows.mean(alongAxis: 0)
            let centered = rows - mean
            let variance = centered.squared().mean(alongAxis: 0)
            inverseStandardDeviation = 1 / (variance + epsilon).squareRoot()
            normalized = centered * inverseStandardDeviation
            let unbiased = variance * (Scalar(count) / Scalar(count - 1))
            runningMean = (1 - momentum) * runningMean + momentum * mean
            runningVariance = (1 - momentum) * runningVariance + momentum * unbiased
        } else {
            inverseStandardDeviation = 1 / (runningVariance + epsilon).squareRoot()
            normalized = (rows - runningMean) * inverseStandardDeviation
        }
        var output = normalized
        if let scale, let offset { output = output * scale + offset }
        return (
            output.reshaped(to: input.shape),
            Cache(
                normalized: normalized, inverseStandardDeviation: inverseStandardDeviation, inputShape: input.shape,
                usedBatchStatistics: context.isTraining))
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Cache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        precondition(outputGradient.shape == cache.inputShape, "BatchNorm.backward: output gradient shape \(outputGradient.shape) differs from the output shape \(cache.inputShape)")
        let rows = outputGradient.reshaped(to: [-1, featureCount])
        var g = rows
        if let scale {
            gradients.accumulate("scale") { $0 += (rows * cache.normalized).sum(alongAxis: 0) }
            gradients.accumulate("offset") { $0 += rows.sum(alongAxis: 0) }
            g = rows * scale
        }
        let inputGradient: Tensor<Scalar>
        if cache.usedBatchStatistics {
            let meanG = g.mean(alongAxis: 0)
            let meanGX = (g * cache.normalized).mean(alongAxis: 0)
            inputGradient = (g - meanG - cache.normalized * meanGX) * cache.inverseStandardDeviation
        } else {
            inputGradient = g * cache.inverseStandardDeviation
        }
        return inputGradient.reshaped(to: cache.inputShape)
    }
}
