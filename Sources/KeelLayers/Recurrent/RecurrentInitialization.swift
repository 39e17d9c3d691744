/// How a recurrent cell's parameters are initialized: one initializer for the input weights, one
/// for each gate's recurrent block, one for the biases, and an optional LSTM forget-gate bias.
///
/// ``standard`` is what a careful user expects and what Keel recommends: Glorot-uniform input
/// weights, an **orthogonal** recurrent block per gate (every singular value 1, so the recurrent
/// Jacobian starts neither exploding nor vanishing), zero biases. ``pytorch(hiddenSize:)`` is
/// PyTorch's default, U(−1/√H, 1/√H) for everything, for exchanging results with PyTorch.
///
/// Shapes: input weights `[G·H, I]` are drawn as one tensor (fans I and G·H, as Keras does for
/// its `kernel`); recurrent weights `[G·H, H]` as G independent `[H, H]` blocks, so each gate's
/// block is orthogonal on its own; `biasIH` from ``bias`` and `biasHH` zero, so the effective
/// bias b_ih + b_hh is exactly what ``bias`` drew.
///
/// ```swift
/// var generator = Xoshiro256StarStar(seed: 1)
/// let cell = LSTMCell<Float>(inputSize: 64, hiddenSize: 256, initialization: .standard.withForgetGateBias(1), using: &generator)
/// ```
///
/// ## References
/// - A. M. Saxe, J. L. McClelland, S. Ganguli, "Exact solutions to the nonlinear dynamics of
///   learning in deep linear neural networks", ICLR 2014 (orthogonal initialization).
/// - R. Jozefowicz, W. Zaremba, I. Sutskever, "An Empirical Exploration of Recurrent Network
///   Architectures", ICML 2015 (forget-gate bias 1).
public struct RecurrentInitialization: Sendable {
    /// Draws the input weights `[G·H, I]`.
    public var input: any Initializer
    /// Draws each gate's recurrent block `[H, H]`.
    public var recurrent: any Initializer
    /// Draws `biasIH` `[G·H]` (`biasHH` starts at zero).
    public var bias: any Initializer
    /// The LSTM forget-gate bias, if set (ignored by other cells).
    public var forgetGateBias: Double?

    /// An initialization from its parts.
    public init(input: any Initializer, recurrent: any Initializer, bias: any Initializer, forgetGateBias: Double? = nil) {
        self.input = input
        self.recurrent = recurrent
        self.bias = bias
        self.forgetGateBias = forgetGateBias
    }

    /// Glorot-uniform input weights, orthogonal recurrent blocks, zero biases.
    public static var standard: RecurrentInitialization {
        RecurrentInitialization(input: GlorotUniform(), recurrent: Orthogonal(), bias: Zeros())
    }

    /// PyTorch's default: U(−1/√H, 1/√H) for the input weights, the recurrent blocks and `biasIH`.
    /// (PyTorch also draws `biasHH` from it; Keel keeps `biasHH` zero, so the numbers differ.)
    public static func pytorch(hiddenSize: Int) -> RecurrentInitialization {
        let bound = 1 / Double(hiddenSize).squareRoot()
        let uniform = Uniform(lower: -bound, upper: bound)
        return RecurrentInitialization(input: uniform, recurrent: uniform, bias: uniform)
    }

    /// This initialization with the LSTM forget-gate bias set to `value` (1 is the usual choice).
    public func withForgetGateBias(_ value: Double) -> RecurrentInitialization {
        var copy = self
        copy.forgetGateBias = value
        return copy
    }

    /// The four parameters of a cell with `gates` gate blocks, drawn in the order weightIH,
    /// weightHH (block by block), biasIH.
    func makeParameters<Scalar: TensorScalar, G: RandomNumberGenerator>(
        gates: Int, inputSize: Int, hiddenSize: Int, using generator: inout G
    ) -> (weightIH: Tensor<Scalar>, weightHH: Tensor<Scalar>, biasIH: Tensor<Scalar>, biasHH: Tensor<Scalar>) {
        precondition(inputSize > 0 && hiddenSize > 0, "RecurrentInitialization: sizes must be positive, got inputSize \(inputSize), hiddenSize \(hiddenSize)")
        let weightIH: Tensor<Scalar> = input.makeTensor([gates * hiddenSize, inputSize], generator: &generator)
        let blocks: [Tensor<Scalar>] = (0..<gates).map { _ in recurrent.makeTensor([hiddenSize, hiddenSize], generator: &generator) }
        let biasIH: Tensor<Scalar> = bias.makeTensor([gates * hiddenSize], generator: &generator)
        return (weightIH, Tensor.concatenate(blocks), biasIH, .zeros([gates * hiddenSize]))
    }
}

extension RNNCell {
    /// A cell initialized by `initialization` (for example ``RecurrentInitialization/standard``).
    public init<G: RandomNumberGenerator>(
        inputSize: Int, hiddenSize: Int, nonlinearity: Nonlinearity = .tanh, initialization: RecurrentInitialization,
        using generator: inout G
    ) {
        let p: (Tensor<Scalar>, Tensor<Scalar>, Tensor<Scalar>, Tensor<Scalar>) = initialization.makeParameters(
            gates: 1, inputSize: inputSize, hiddenSize: hiddenSize, using: &generator)
        self.init(weightIH: p.0, weightHH: p.1, biasIH: p.2, biasHH: p.3, nonlinearity: nonlinearity)
    }
}

extension LSTMCell {
    /// A cell initialized by `initialization`, including its forget-gate bias if it sets one.
    public init<G: RandomNumberGenerator>(
        inputSize: Int, hiddenSize: Int, initialization: RecurrentInitialization, using generator: inout G
    ) {
        let p: (Tensor<Scalar>, Tensor<Scalar>, Tensor<Scalar>, Tensor<Scalar>) = initialization.makeParameters(
            gates: 4, inputSize: inputSize, hiddenSize: hiddenSize, using: &generator)
        self.init(weightIH: p.0, weightHH: p.1, biasIH: p.2, biasHH: p.3)
        if let value = initialization.forgetGateBias { forgetGateBias = .filled([hiddenSize], with: Scalar(value)) }
    }
}

extension GRUCell {
    /// A cell initialized by `initialization`.
    public init<G: RandomNumberGenerator>(
        inputSize: Int, hiddenSize: Int, initialization: RecurrentInitialization, using generator: inout G
    ) {
        let p: (Tensor<Scalar>, Tensor<Scalar>, Tensor<Scalar>, Tensor<Scalar>) = initialization.makeParameters(
            gates: 3, inputSize: inputSize, hiddenSize: hiddenSize, using: &generator)
        self.init(weightIH: p.0, weightHH: p.1, biasIH: p.2, biasHH: p.3)
    }
}
