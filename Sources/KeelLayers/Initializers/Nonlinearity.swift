/// A nonlinearity whose recommended initialization gain Keel knows, as PyTorch's
/// `torch.nn.init.calculate_gain`.
///
/// | nonlinearity | gain |
/// |---|---|
/// | linear, sigmoid | 1 |
/// | tanh | 5/3 |
/// | ReLU | √2 |
/// | leaky ReLU (slope s) | √(2 / (1 + s²)) |
/// | SELU | 3/4 |
public enum Nonlinearity: Sendable, Hashable, Codable {
    case linear
    case sigmoid
    case tanh
    case relu
    case leakyRelu(negativeSlope: Double = 0.01)
    case selu

    /// The recommended gain: the factor that keeps the variance of activations stable.
    public var gain: Double {
        switch self {
        case .linear, .sigmoid: 1
        case .tanh: 5.0 / 3.0
        case .relu: 2.0.squareRoot()
        case .leakyRelu(let slope): (2 / (1 + slope * slope)).squareRoot()
        case .selu: 0.75
        }
    }
}

/// The recommended gain for `nonlinearity` (PyTorch's `calculate_gain`); see ``Nonlinearity``.
public func calculateGain(_ nonlinearity: Nonlinearity) -> Double { nonlinearity.gain }

/// Which fan a variance-scaling initializer divides by.
public enum FanMode: Sendable, Hashable, Codable {
    /// Preserve the variance of activations in the forward pass (divide by fanIn).
    case fanIn
    /// Preserve the variance of gradients in the backward pass (divide by fanOut).
    case fanOut
}

extension Initializer {
    /// The fan selected by `mode` for a weight of `shape` (see ``Initializer/fans(of:)``).
    static func fan(of shape: [Int], mode: FanMode) -> Int {
        let (fanIn, fanOut) = fans(of: shape)
        return mode == .fanIn ? fanIn : fanOut
    }

    static func normalTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(
        _ shape: [Int], standardDeviation: Double, generator: inout G
    ) -> Tensor<Scalar> {
        Tensor(randomNormal: shape, mean: 0, standardDeviation: Scalar(standardDeviation), using: &generator)
    }

    static func uniformTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(
        _ shape: [Int], bound: Double, generator: inout G
    ) -> Tensor<Scalar> {
        Tensor(randomUniform: shape, lowerBound: Scalar(-bound), upperBound: Scalar(bound), using: &generator)
    }
}
