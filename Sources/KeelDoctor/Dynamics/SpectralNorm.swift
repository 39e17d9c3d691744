import KeelCore

/// σ_max of a recurrent weight matrix, and Pascanu et al.'s criterion on it.
///
/// For hₜ = φ(W hₜ₋₁ + U xₜ + b) with |φ′| ≤ γ, ‖∂hₜ/∂hₜ₋₁‖ ≤ γ·σ_max(W): σ_max < 1/γ is
/// sufficient for vanishing gradients, σ_max > 1/γ necessary for exploding ones. γ = 1 for tanh
/// and ReLU. For a gated weight `[G·H, H]` each `[H, H]` gate block is measured and the largest
/// reported; there the criterion is only indicative (gates shape the Jacobian), and the measured
/// ``CellDynamics/jacobianRadius`` is the direct evidence.
///
/// ## References
/// - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
///   networks", ICML 2013, §2.1.
public struct RecurrentWeightSpectrum: Sendable, Codable, Hashable {
    /// The parameter key (e.g. `encoder.layer0.weightHH`).
    public var key: String
    /// σ_max of each `[H, H]` gate block, in row order.
    public var blockSingularValues: [Double]
    /// The largest of ``blockSingularValues``.
    public var largestSingularValue: Double
    /// γ, the bound of the nonlinearity's derivative assumed (1: tanh, ReLU).
    public var gamma: Double

    /// A measurement; see the properties.
    public init(key: String, blockSingularValues: [Double], gamma: Double = 1) {
        self.key = key
        self.blockSingularValues = blockSingularValues
        self.largestSingularValue = blockSingularValues.max() ?? .nan
        self.gamma = gamma
    }

    /// Whether σ_max > 1/γ beyond rounding (by more than 0.1%): Pascanu's necessary condition for
    /// exploding gradients holds. An orthogonal matrix (σ_max = 1 up to float error) does not.
    public var explosionPossible: Bool { largestSingularValue > 1.001 / gamma }

    /// σ_max of each `[H, H]` block of `matrix` (`[G·H, H]`).
    public init<Scalar: TensorScalar>(key: String, matrix: Tensor<Scalar>, gamma: Double = 1) {
        precondition(matrix.rank == 2, "RecurrentWeightSpectrum: \(key) has shape \(matrix.shape), expected a matrix")
        let hidden = matrix.shape[1]
        let blocks = hidden > 0 && matrix.shape[0] % hidden == 0 ? matrix.shape[0] / hidden : 1
        let rows = matrix.shape[0] / blocks
        let values = (0..<blocks).map { spectralNorm(of: matrix.slice(($0 * rows)..<(($0 + 1) * rows))) }
        self.init(key: key, blockSingularValues: values, gamma: gamma)
    }
}

/// σ_max(W) by power iteration on WᵀW from a fixed start (deterministic), 100 iterations.
func spectralNorm<Scalar: TensorScalar>(of matrix: Tensor<Scalar>, iterations: Int = 100) -> Double {
    let columns = matrix.shape[1]
    var vector = Tensor<Scalar>(shape: [columns, 1], scalars: (0..<columns).map { Scalar(1 + Double($0 % 7) / 7) })
    var sigma = 0.0
    for _ in 0..<iterations {
        let norm = vector.sumOfSquares().squareRoot()
        guard norm > 0, norm.isFinite else { break }
        vector = vector * Scalar(1 / norm)
        let image = matrix.matmul(vector)
        sigma = image.sumOfSquares().squareRoot()
        vector = matrix.matmul(image, transposeA: true)
    }
    return sigma
}
