/// σ_max of a matrix by power iteration with a cached right singular vector, so that after the
/// first estimate one or two iterations per call track a slowly changing matrix.
///
/// v ← Wᵀ W v / ‖Wᵀ W v‖, σ = ‖W v‖. Computed in `Double` on the host: recurrent matrices are
/// small (`[G·H, H]`), and the estimate runs every N steps only. The trainer keeps one per
/// recurrent weight for ``TrainerConfiguration/spectralNormInterval``; a fresh one with many
/// iterations measures a matrix once.
///
/// - Parameters of ``estimate(_:iterations:)``: the matrix `[rows, columns]` and the number of
///   power iterations (each refines the cached vector).
public struct SpectralNormEstimator: Codable, Sendable, Hashable {
    /// The cached right singular vector estimate (empty before the first call).
    var vector: [Double] = []
    /// The last estimate.
    public private(set) var value: Double?

    /// An estimator with no cached vector: its first call starts from a fixed vector.
    public init() {}

    /// σ_max of `matrix` after `iterations` power iterations from the cached vector.
    ///
    /// **Shapes:** `matrix` `[rows, columns]`; the cached vector has `columns` entries.
    /// - Parameters:
    ///   - matrix: The matrix W.
    ///   - iterations: Power iterations v ← WᵀWv/‖WᵀWv‖ to run (≥ 1).
    /// - Returns: ‖W v‖ with the last v.
    public mutating func estimate<Scalar: TensorScalar>(_ matrix: Tensor<Scalar>, iterations: Int) -> Double {
        precondition(matrix.rank == 2, "SpectralNormEstimator: expected a matrix, got shape \(matrix.shape)")
        let rows = matrix.shape[0], columns = matrix.shape[1]
        let w = matrix.scalars.map { Double($0) }
        if vector.count != columns {
            // A fixed, non-degenerate start keeps the estimate deterministic.
            vector = (0..<columns).map { 1 + Double($0 % 7) / 7 }
            normalize(&vector)
        }
        var sigma = 0.0
        var u = [Double](repeating: 0, count: rows)
        for _ in 0..<iterations {
            for r in 0..<rows {
                var sum = 0.0
                for c in 0..<columns { sum += w[r * columns + c] * vector[c] }
                u[r] = sum
            }
            sigma = norm(u)
            var next = [Double](repeating: 0, count: columns)
            for r in 0..<rows where u[r] != 0 {
                for c in 0..<columns { next[c] += w[r * columns + c] * u[r] }
            }
            guard norm(next) > 0, norm(next).isFinite else { break }
            normalize(&next)
            vector = next
        }
        value = sigma
        return sigma
    }

    private func norm(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    private func normalize(_ x: inout [Double]) {
        let n = norm(x)
        if n > 0 { for i in x.indices { x[i] /= n } }
    }
}
