import Foundation
import KeelCore

/// Reads a JSON fixture from `Reference/` beside this file.
func referenceFixture(_ name: String, filePath: String = #filePath) throws -> Data {
    let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Reference")
    return try Data(contentsOf: directory.appendingPathComponent(name))
}

/// A naive triple loop in Double: the oracle for every GEMM path.
func naiveMatrixMultiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double, a: [Double], lda: Int,
    b: [Double], ldb: Int, beta: Double, c: [Double], ldc: Int
) -> [Double] {
    var result = c
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                sum += x * y
            }
            result[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j])
        }
    }
    return result
}

/// Distance in units in the last place between two floats of the same sign (∞ when they differ in
/// sign or one is NaN and the other is not).
func ulpDistance(_ a: Float, _ b: Float) -> Double {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .infinity }
    if a == b { return 0 }
    if (a < 0) != (b < 0) { return .infinity }
    return Double(max(a.bitPattern, b.bitPattern) - min(a.bitPattern, b.bitPattern))
}
