import KeelCore

/// σ_max of a matrix by power iteration on AᵀA (100 iterations from a fixed start: accurate to
/// a few digits for the small recurrent matrices the demo reports).
func largestSingularValue(_ matrix: Tensor<Float>, iterations: Int = 100) -> Double {
    precondition(matrix.rank == 2, "largestSingularValue: expected a matrix, got shape \(matrix.shape)")
    let rows = matrix.shape[0], columns = matrix.shape[1]
    let a = matrix.scalars.map(Double.init)
    guard a.allSatisfy(\.isFinite) else { return .nan }
    var v = (0..<columns).map { 1 + 0.01 * Double($0 % 7) }
    var sigma = 0.0
    for _ in 0..<iterations {
        var u = [Double](repeating: 0, count: rows)
        for i in 0..<rows { var s = 0.0; for j in 0..<columns { s += a[i * columns + j] * v[j] }; u[i] = s }
        var w = [Double](repeating: 0, count: columns)
        for i in 0..<rows { let ui = u[i]; for j in 0..<columns { w[j] += a[i * columns + j] * ui } }
        let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return 0 }
        sigma = norm.squareRoot()
        v = w.map { $0 / norm }
    }
    return sigma
}
