/// Pascanu et al.'s regularizer against vanishing gradients in a simple RNN: it pushes every step's
/// Jacobian to preserve the norm of the gradient that flows back through it.
///
/// For a layer hₜ = φ(aₜ), aₜ = W_hh·hₜ₋₁ + W_ih·xₜ + b (``RNNCell``, tanh or ReLU), write
/// gₜ = ∂L/∂hₜ for the total gradient reaching step t's output (from the loss and from the future)
/// and δₜ = ∂L/∂aₜ = gₜ ⊙ φ′(aₜ). The part of the gradient that step t passes back to hₜ₋₁ is
/// qₜ = W_hhᵀ·δₜ, so qₜ = gₜ·∂hₜ/∂hₜ₋₁. For every step t and batch row b the regularizer compares
/// the two norms:
///
///     sₜ,b = ‖qₜ,b‖² / ‖gₜ,b‖²,        Ω = (1/N) Σ_{(t,b) ∈ V} (sₜ,b − 1)²
///
/// where V holds the pairs with ‖gₜ,b‖² ≥ ``bound`` (a pair with no gradient says nothing about
/// flow) and N = |V|. The backward pass adds ``weight`` · ∂Ω/∂W_hh to ∂L/∂W_hh, with gₜ, δₜ and
/// the activations held constant: only the W_hh that appears explicitly in qₜ is differentiated,
/// as in the paper ("we only consider the immediate derivative of Ω with respect to W_rec"):
///
///     ∂Ω/∂W_hh = Σ_{(t,b) ∈ V} 4 (sₜ,b − 1) / (N ‖gₜ,b‖²) · δₜ,b ⊗ qₜ,b
///
/// (δ along W_hh's rows, q along its columns). That is two GEMMs over the `[T·batch, hidden]`
/// gradient rows the backward pass already holds, the cost of one more ∂W_hh.
///
/// **Where Keel differs.** This is the authors' code (`pascanur/trainingRNNs`, `RNN.py`), which
/// compares *squared* norms, rather than the paper's ratio of norms; both are zero exactly when
/// the Jacobian preserves the norm. Ω is not added to the loss the trainer reports (as an
/// optimizer's weight decay is not): the loss stays comparable with unregularized runs.
///
/// Pascanu et al. pair it with gradient clipping ("MSGD-CR"); alone it lets gradients explode,
/// they report. Their temporal-order runs used weight α = 2 (the code's default) or 4 (the
/// paper's Fig. 7), clipping at 1.
///
/// ## References
/// - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
///   networks", ICML 2013, §3.3 (eq. 9 and the immediate derivative).
/// - R. Pascanu, `github.com/pascanur/trainingRNNs`, `RNN.py` (squared norms, the `bound` of
///   1e-20, the mean over valid pairs).
public struct VanishingGradientRegularizer: Sendable, Hashable, Codable {
    /// α, the factor of ∂Ω/∂W_hh added to the gradient (≥ 0; 0 adds nothing).
    public var weight: Double
    /// Pairs (t, b) whose ‖∂L/∂hₜ‖² is below this are left out of Ω (the authors' `bound`).
    public var bound: Double

    /// A regularizer adding `weight` · ∂Ω/∂W_hh.
    ///
    /// - Precondition: `weight` and `bound` are finite and ≥ 0.
    public init(weight: Double, bound: Double = 1e-20) {
        precondition(weight.isFinite && weight >= 0, "VanishingGradientRegularizer: weight \(weight) must be finite and ≥ 0")
        precondition(bound.isFinite && bound >= 0, "VanishingGradientRegularizer: bound \(bound) must be finite and ≥ 0")
        self.weight = weight
        self.bound = bound
    }

    /// Decodes a regularizer, rejecting a negative or non-finite weight or bound.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let weight = try container.decode(Double.self, forKey: .weight)
        let bound = try container.decodeIfPresent(Double.self, forKey: .bound) ?? 1e-20
        guard weight.isFinite, weight >= 0, bound.isFinite, bound >= 0 else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "VanishingGradientRegularizer: weight \(weight) and bound \(bound) must be finite and ≥ 0"))
        }
        self.init(weight: weight, bound: bound)
    }

    private enum CodingKeys: String, CodingKey { case weight, bound }

    /// Ω and ∂Ω/∂W_hh for one layer's backward pass.
    ///
    /// - Parameters:
    ///   - delta: δ for the processed steps, `[steps·batch, hidden]`, time-major.
    ///   - outputGradients: ∂L/∂yₜ from the layer's output, `[T, batch, hidden]`; its last
    ///     `steps` steps are the processed ones (nil: the loss reads only the final state).
    ///   - finalStateGradient: ∂L/∂h_T entering the last step, `[batch, hidden]`.
    ///   - weightHH: W_hh, `[hidden, hidden]`.
    /// - Returns: Ω and ∂Ω/∂W_hh (`[hidden, hidden]`, not yet multiplied by ``weight``).
    public func penalty<S: TensorScalar>(
        preactivationGradients delta: Tensor<S>, outputGradients: Tensor<S>?, finalStateGradient: Tensor<S>, weightHH: Tensor<S>
    ) -> (value: Double, weightHHGradient: Tensor<S>) {
        let hidden = weightHH.shape[1], rows = delta.shape[0], batch = finalStateGradient.shape[0]
        precondition(
            delta.shape == [rows, hidden] && weightHH.shape == [hidden, hidden] && finalStateGradient.shape == [batch, hidden]
                && batch > 0 && rows % batch == 0,
            "VanishingGradientRegularizer: δ \(delta.shape), W_hh \(weightHH.shape) and ∂L/∂h_T \(finalStateGradient.shape) do not fit")
        precondition(
            outputGradients.map { $0.scalarCount >= rows * hidden && $0.scalarCount % (batch * hidden) == 0 } ?? true,
            "VanishingGradientRegularizer: output gradients \(outputGradients!.shape) do not cover δ \(delta.shape)")
        // qₜ = δₜ·W_hh (row form of W_hhᵀδₜ): the gradient step t hands to hₜ₋₁.
        let passedBack = delta.matmul(weightHH)
        // gₜ = ∂L/∂yₜ + qₜ₊₁, and ∂L/∂h_T for the last step: the carry the backward pass added up.
        // Tensor operations for every per-element pass: this generic code is not specialized.
        var carried = Tensor.concatenate([passedBack.slice(batch..<rows), finalStateGradient])
        if let outputGradients {
            let flat = outputGradients.reshaped(to: [outputGradients.scalarCount / hidden, hidden])
            carried = carried + flat.slice((flat.shape[0] - rows)..<flat.shape[0])
        }
        let gradientNorms = (carried * carried).sum(alongAxis: 1).scalars
        let passedNorms = (passedBack * passedBack).sum(alongAxis: 1).scalars
        // sₜ,b − 1 and the row's coefficient 4(s − 1)/‖g‖² for the valid pairs (N divides at the end).
        var total = 0.0, valid = 0
        var coefficients = [Double](repeating: 0, count: rows)
        for row in 0..<rows {
            let gg = Double(gradientNorms[row])
            guard gg >= bound, gg > 0 else { continue }
            let excess = Double(passedNorms[row]) / gg - 1
            total += excess * excess
            coefficients[row] = 4 * excess / gg
            valid += 1
        }
        guard valid > 0 else { return (0, .zeros([hidden, hidden])) }
        // Σ c·δ ⊗ q as one GEMM: (c ⊙ δ)ᵀ·q.
        let scaled = delta * Tensor(shape: [rows, 1], scalars: coefficients.map { S($0 / Double(valid)) })
        return (total / Double(valid), scaled.matmul(passedBack, transposeA: true))
    }
}

extension VanishingGradientRegularizer: RecurrentGradientTerm {
    /// Ω is derived for hₜ = φ(aₜ) with one gate block: defined for the RNN kernels only
    /// (``RNNCell``, tanh or ReLU).
    public func validate(sequenceKernel kernel: Kernels.RecurrentCellKind?) throws {
        guard kernel == .rnnTanh || kernel == .rnnReLU else {
            throw RecurrentGradientTermError(
                "VanishingGradientRegularizer is defined for an RNNCell (sequence kernel rnnTanh or rnnReLU), "
                    + "not for a cell whose sequence kernel is \(kernel.map { "\($0)" } ?? "none")")
        }
    }

    /// Adds ``weight`` · ∂Ω/∂W_hh (see ``penalty(preactivationGradients:outputGradients:finalStateGradient:weightHH:)``).
    public func addGradient<Scalar: TensorScalar>(
        for pass: RecurrentBackwardPass<Scalar>, into gradients: inout ParameterSet<Scalar>
    ) {
        guard weight > 0 else { return }
        let penalty = penalty(
            preactivationGradients: pass.preactivationGradients, outputGradients: pass.outputGradients,
            finalStateGradient: pass.finalHiddenGradient, weightHH: pass.weightHH)
        gradients.accumulate("weightHH", operation: "VanishingGradientRegularizer") {
            $0.addScaled(penalty.weightHHGradient, by: Scalar(weight))
        }
    }
}
