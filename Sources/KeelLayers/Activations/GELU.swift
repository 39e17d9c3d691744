import Foundation

/// The Gaussian error linear unit, elementwise: y = x·Φ(x), Φ the standard normal CDF.
///
/// **Shapes.** Any; the output has the input's shape. No parameters.
///
/// - ``Approximation/none``: Φ(x) = ½(1 + erf(x/√2)); ∂y/∂x = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
/// - ``Approximation/tanh``: y = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³);
///   ∂y/∂x = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²), t = tanh(u). PyTorch's
///   `approximate='tanh'`.
///
/// ## References
/// - D. Hendrycks, K. Gimpel, "Gaussian Error Linear Units (GELUs)", arXiv:1606.08415, 2016.
public struct GELU<Scalar: TensorScalar>: Layer, BufferContainer {
    /// How Φ is computed.
    public enum Approximation: Sendable, Hashable {
        /// The exact form with erf.
        case none
        /// The tanh approximation.
        case tanh
    }

    /// How Φ is computed.
    public var approximation: Approximation

    /// GELU in the exact form (default) or the tanh approximation.
    public init(approximation: Approximation = .none) { self.approximation = approximation }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {}
    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {}

    private static var tanhScale: Scalar { Scalar((2 / Double.pi).squareRoot()) }
    private static var cubic: Scalar { 0.044715 }

    /// The cache is the input x.
    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Tensor<Scalar>) {
        switch approximation {
        case .none:
            let output = input.mapScalars(
                float: { 0.5 * $0 * (1 + erf($0 * 0.70710678118654752)) },
                double: { 0.5 * $0 * (1 + erf($0 * 0.70710678118654752)) })
            return (output, input)
        case .tanh:
            let t = (Self.tanhScale * (input + Self.cubic * input * input.squared())).tanh()
            return (0.5 * input * (1 + t), input)
        }
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Tensor<Scalar>, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        switch approximation {
        case .none:
            let derivative = cache.mapScalars(
                float: { 0.5 * (1 + erf($0 * 0.70710678118654752)) + $0 * exp(-0.5 * $0 * $0) * 0.39894228040143268 },
                double: { 0.5 * (1 + erf($0 * 0.70710678118654752)) + $0 * exp(-0.5 * $0 * $0) * 0.39894228040143268 })
            return outputGradient * derivative
        case .tanh:
            let x = cache
            let squared = x.squared()
            let t = (Self.tanhScale * (x + Self.cubic * x * squared)).tanh()
            let derivative = 0.5 * (1 + t) + 0.5 * x * (1 - t.squared()) * Self.tanhScale * (1 + 3 * Self.cubic * squared)
            return outputGradient * derivative
        }
    }
}
