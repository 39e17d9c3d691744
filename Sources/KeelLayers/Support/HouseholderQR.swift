/// The orthonormal factor Q of the reduced QR decomposition A = QR of a row-major `rows × columns`
/// matrix with rows ≥ columns, by Householder reflections, with the columns of Q multiplied by
/// sign(Rᵢᵢ) so that R has a non-negative diagonal (the unique decomposition PyTorch's
/// `orthogonal_` produces). Plain `Double` loops: for initialization, not for hot paths.
func orthonormalFactor(_ matrix: [Double], rows: Int, columns: Int) -> [Double] {
    precondition(rows >= columns, "orthonormalFactor: needs rows >= columns, got \(rows)×\(columns)")
    var a = matrix
    var reflectors: [[Double]] = []
    var diagonal: [Double] = []
    for k in 0..<columns {
        var v = (k..<rows).map { a[$0 * columns + k] }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let alpha = v[0] >= 0 ? -norm : norm
        diagonal.append(alpha)
        v[0] -= alpha
        let vNorm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if vNorm > 0 {
            for index in v.indices { v[index] /= vNorm }
            // A[k:, k:] -= 2 v (vᵀ A[k:, k:])
            for column in k..<columns {
                var dot = 0.0
                for row in k..<rows { dot += v[row - k] * a[row * columns + column] }
                for row in k..<rows { a[row * columns + column] -= 2 * v[row - k] * dot }
            }
        }
        reflectors.append(v)
    }
    // Q = H₀H₁…H_{n−1} applied to the first `columns` columns of the identity.
    var q = [Double](repeating: 0, count: rows * columns)
    for index in 0..<columns { q[index * columns + index] = 1 }
    for k in stride(from: columns - 1, through: 0, by: -1) {
        let v = reflectors[k]
        for column in 0..<columns {
            var dot = 0.0
            for row in k..<rows { dot += v[row - k] * q[row * columns + column] }
            for row in k..<rows { q[row * columns + column] -= 2 * v[row - k] * dot }
        }
    }
    for column in 0..<columns where diagonal[column] < 0 {
        for row in 0..<rows { q[row * columns + column] = -q[row * columns + column] }
    }
    return q
}
