/// The math of spectral normalization, reusable for any weight (a dense layer's weight, a
/// recurrent cell's W_hh): W_sn = W/σ(W), with σ the largest singular value estimated by power
/// iteration with persistent vectors u and v, as PyTorch's
/// `torch.nn.utils.parametrizations.spectral_norm`.
///
/// **Shapes.** The weight `[out, d₁, …]` is viewed as a matrix W `[out, in]`, in = d₁·…;
/// `u` is `[out]`, `v` is `[in]`.
///
/// **Power iteration** (training passes only, `powerIterations` times):
/// v ← normalize(Wᵀu), u ← normalize(Wv), normalize(x) = x / max(‖x‖, ε);
/// then σ = uᵀWv. Inference passes reuse u and v without updating them.
///
/// **Backward** (u and v are constants, as in PyTorch, which computes them without gradient):
/// σ = uᵀWv so ∂σ/∂W = uvᵀ, and for G = ∂L/∂W_sn,
/// ∂L/∂W = G/σ − (Σᵢⱼ GᵢⱼWᵢⱼ)/σ²·uvᵀ = (G − ⟨G, W_sn⟩·uvᵀ)/σ.
///
/// Construction draws u, v from N(0, 1), normalizes them and runs 15 power iterations on the
/// initial weight, as PyTorch does.
///
/// ## References
/// - T. Miyato, T. Kataoka, M. Koyama, Y. Yoshida, "Spectral Normalization for Generative
///   Adversarial Networks", ICLR 2018.
public struct SpectralNormalizer<Scalar: TensorScalar>: Sendable {
    /// The left singular vector estimate `[out]`.
    public var u: Tensor<Scalar>
    /// The right singular vector estimate `[in]`.
    public var v: Tensor<Scalar>
    /// Power iterations per training pass (PyTorch's default 1).
    public var powerIterations: Int
    /// The floor of the norm in normalize (PyTorch's default 1e-12).
    public var epsilon: Scalar
    /// The most recent estimate σ = uᵀWv of the largest singular value (0 before the first
    /// normalization). Monitors read it.
    public private(set) var sigma: Scalar = 0

    /// A normalizer for `weight`, with u and v drawn from `generator` and refined by 15 power
    /// iterations.
    public init<G: RandomNumberGenerator>(for weight: Tensor<Scalar>, powerIterations: Int = 1, epsilon: Scalar = 1e-12, generator: inout G) {
        precondition(weight.rank >= 2, "SpectralNormalizer: needs a weight of rank 2 or more, got shape \(weight.shape)")
        precondition(powerIterations >= 0, "SpectralNormalizer: powerIterations \(powerIterations) is negative")
        let rows = weight.shape[0], columns = weight.scalarCount / max(rows, 1)
        self.powerIterations = powerIterations
        self.epsilon = epsilon
        self.u = Tensor(randomNormal: [rows], using: &generator)
        self.v = Tensor(randomNormal: [columns], using: &generator)
        u = normalized(u)
        v = normalized(v)
        let matrix = weight.reshaped(to: [rows, columns])
        for _ in 0..<15 { iterate(matrix) }
        sigma = estimate(matrix)
    }

    /// What backward needs: W_sn as a matrix, σ, u and v of the pass, and the weight's shape.
    public struct Cache: Sendable {
        var normalized: Tensor<Scalar>
        var sigma: Scalar
        var u: Tensor<Scalar>
        var v: Tensor<Scalar>
        var shape: [Int]
    }

    /// W/σ(W) for the current `weight`; in training, first runs `powerIterations` steps that
    /// update u and v. Updates ``sigma``.
    public mutating func normalize(_ weight: Tensor<Scalar>, training: Bool) -> (normalized: Tensor<Scalar>, cache: Cache) {
        let rows = u.shape[0], columns = v.shape[0]
        precondition(
            weight.rank >= 2 && weight.shape[0] == rows && weight.scalarCount == rows * columns,
            "SpectralNormalizer: weight shape \(weight.shape) does not match the vectors u [\(rows)] and v [\(columns)]")
        let matrix = weight.reshaped(to: [rows, columns])
        if training {
            for _ in 0..<powerIterations { iterate(matrix) }
        }
        sigma = estimate(matrix)
        let result = matrix / sigma
        return (result.reshaped(to: weight.shape), Cache(normalized: result, sigma: sigma, u: u, v: v, shape: weight.shape))
    }

    /// ∂L/∂W from ∂L/∂W_sn (`normalizedGradient`, the weight's shape).
    public func backward(_ normalizedGradient: Tensor<Scalar>, cache: Cache) -> Tensor<Scalar> {
        precondition(normalizedGradient.shape == cache.shape, "SpectralNormalizer.backward: gradient shape \(normalizedGradient.shape) differs from the weight shape \(cache.shape)")
        let rows = cache.u.shape[0], columns = cache.v.shape[0]
        var gradient = normalizedGradient.reshaped(to: [rows, columns])
        let inner = (gradient * cache.normalized).sum()
        gradient.addMatrixProduct(cache.u.reshaped(to: [rows, 1]), cache.v.reshaped(to: [1, columns]), alpha: -inner)
        return (gradient / cache.sigma).reshaped(to: cache.shape)
    }

    private func normalized(_ vector: Tensor<Scalar>) -> Tensor<Scalar> {
        vector / Swift.max(vector.l2Norm(), epsilon)
    }

    private mutating func iterate(_ matrix: Tensor<Scalar>) {
        let rows = matrix.shape[0], columns = matrix.shape[1]
        v = normalized(matrix.matmul(u.reshaped(to: [rows, 1]), transposeA: true).reshaped(to: [columns]))
        u = normalized(matrix.matmul(v.reshaped(to: [columns, 1])).reshaped(to: [rows]))
    }

    private func estimate(_ matrix: Tensor<Scalar>) -> Scalar {
        let rows = matrix.shape[0], columns = matrix.shape[1]
        return (u.reshaped(to: [rows, 1]) * matrix.matmul(v.reshaped(to: [columns, 1]))).sum()
    }
}
