import Foundation

/// Draws a square matrix from `base`, then rescales it so its spectral radius (the largest
/// eigenvalue magnitude) is `spectralRadius`: the echo-state-network recipe for recurrent weights
/// (ρ slightly below 1 keeps the linearized dynamics at the edge of stability).
///
/// **Shapes.** A square matrix `[n, n]`.
///
/// The radius is measured by ``estimateSpectralRadius(_:)``; a matrix whose radius is 0
/// (nilpotent, or all zeros) is returned unscaled.
///
/// ## References
/// - H. Jaeger, "The 'echo state' approach to analysing and training recurrent neural networks",
///   GMD Report 148, 2001.
public struct ScaledToSpectralRadius<Base: Initializer>: Initializer {
    /// The target spectral radius ρ.
    public var spectralRadius: Double
    /// The distribution drawn before rescaling.
    public var base: Base

    /// - Precondition: `spectralRadius ≥ 0`.
    public init(_ spectralRadius: Double, base: Base) {
        precondition(spectralRadius >= 0, "ScaledToSpectralRadius: spectralRadius \(spectralRadius) is negative")
        self.spectralRadius = spectralRadius
        self.base = base
    }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        precondition(shape.count == 2 && shape[0] == shape[1], "ScaledToSpectralRadius: needs a square matrix shape [n, n], got \(shape)")
        let drawn: Tensor<Scalar> = base.makeTensor(shape, generator: &generator)
        let radius = Self.estimateSpectralRadius(Tensor<Double>(shape: shape, scalars: drawn.scalars.map(Double.init)))
        guard radius > 0 else { return drawn }
        return drawn * Scalar(spectralRadius / radius)
    }

    /// The spectral radius ρ(A) = max |λᵢ| of a square matrix, by Gelfand's formula
    /// ρ(A) = lim ‖A^k‖^(1/k), evaluated at k = 2⁴⁰ by repeated squaring.
    ///
    /// Each squaring renormalizes (A^(2^(j+1)) = e^{2Lⱼ}·Bⱼ² with ‖Bⱼ‖_F = 1) and accumulates the
    /// logarithm of the scale, so nothing overflows. The relative error is about
    /// log(κ·n)/2⁴⁰ for a matrix whose eigenvector basis has condition number κ: far below
    /// rounding for any matrix an initializer meets. Unlike power iteration on a vector, this
    /// converges when the dominant eigenvalues are a complex pair or nearly tied.
    ///
    /// - Precondition: `matrix` is square.
    public static func estimateSpectralRadius(_ matrix: Tensor<Double>) -> Double {
        precondition(matrix.rank == 2 && matrix.shape[0] == matrix.shape[1], "estimateSpectralRadius: needs a square matrix, got \(matrix.shape)")
        var power = matrix
        var logScale = 0.0
        var exponent = 1.0
        for _ in 0..<40 {
            let norm = power.l2Norm()
            guard norm > 0 && norm.isFinite else { return norm > 0 ? .infinity : 0 }
            power = power / norm
            logScale += log(norm) / exponent
            power = power.matmul(power)
            exponent *= 2
        }
        let norm = power.l2Norm()
        guard norm > 0 else { return 0 }
        return exp(logScale + log(norm) / exponent)
    }
}
