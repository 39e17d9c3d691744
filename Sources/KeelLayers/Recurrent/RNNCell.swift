/// The Elman recurrent cell with a tanh or ReLU nonlinearity, as PyTorch's `nn.RNNCell`.
///
///     hₜ = act(xₜ W_ihᵀ + b_ih + hₜ₋₁ W_hhᵀ + b_hh),    act ∈ {tanh, ReLU}
///
/// The state is the hidden tensor itself.
///
/// **Shapes.** input `[batch, inputSize]`; state and output `[batch, hiddenSize]`;
/// `weightIH` `[hiddenSize, inputSize]`, `weightHH` `[hiddenSize, hiddenSize]`, `biasIH` and
/// `biasHH` `[hiddenSize]`. Parameter keys: `weightIH`, `weightHH`, `biasIH`, `biasHH`.
///
/// ## References
/// - J. L. Elman, "Finding structure in time", Cognitive Science 14 (1990).
/// - Q. V. Le, N. Jaitly, G. E. Hinton, "A simple way to initialize recurrent networks of
///   rectified linear units", arXiv:1504.00941 (2015) (ReLU RNNs).
public struct RNNCell<Scalar: TensorScalar>: GatedRecurrentCell, Sendable {
    /// The nonlinearity applied to the summed projections.
    public enum Nonlinearity: Sendable, Hashable, Codable {
        /// tanh, PyTorch's default.
        case tanh
        /// max(0, ·), as in IRNN.
        case relu
    }

    /// The state is the hidden tensor `[batch, hiddenSize]`.
    public typealias State = Tensor<Scalar>
    /// What a step saves for its backward pass.
    public typealias StepCache = GatedStepCache<Scalar, State, PointwiseCache>

    /// The whole-sequence kernel of this cell's math (`rnnTanh` or `rnnReLU`).
    public var sequenceKernel: Kernels.RecurrentCellKind? { nonlinearity == .tanh ? .rnnTanh : .rnnReLU }

    /// `true`: the gates read one pre-activation sum, so both projection gradients are one tensor.
    public static var sharesProjectionGradients: Bool { true }

    /// What the pointwise math saves: the new hidden state.
    public struct PointwiseCache: Sendable {
        let hidden: Tensor<Scalar>
    }

    /// One gate block.
    public static var gateCount: Int { 1 }

    /// W_ih, `[hiddenSize, inputSize]`.
    public var weightIH: Tensor<Scalar>
    /// W_hh, `[hiddenSize, hiddenSize]`.
    public var weightHH: Tensor<Scalar>
    /// b_ih, `[hiddenSize]`.
    public var biasIH: Tensor<Scalar>
    /// b_hh, `[hiddenSize]`.
    public var biasHH: Tensor<Scalar>
    /// tanh or ReLU.
    public var nonlinearity: Nonlinearity

    /// Features of each input step.
    public var inputSize: Int { weightIH.shape[1] }
    /// Features of the hidden state.
    public var hiddenSize: Int { weightHH.shape[1] }

    /// A cell with explicit parameters (PyTorch's `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`).
    ///
    /// - Precondition: the shapes are `[H, I]`, `[H, H]`, `[H]`, `[H]`.
    public init(
        weightIH: Tensor<Scalar>, weightHH: Tensor<Scalar>, biasIH: Tensor<Scalar>, biasHH: Tensor<Scalar>,
        nonlinearity: Nonlinearity = .tanh
    ) {
        Self.checkGatedShapes(weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH, operation: "RNNCell")
        self.weightIH = weightIH
        self.weightHH = weightHH
        self.biasIH = biasIH
        self.biasHH = biasHH
        self.nonlinearity = nonlinearity
    }

    /// A cell with PyTorch's default initialization: every parameter U(−1/√H, 1/√H), drawn in
    /// the order weightIH, weightHH, biasIH, biasHH.
    public init<G: RandomNumberGenerator>(
        inputSize: Int, hiddenSize: Int, nonlinearity: Nonlinearity = .tanh, using generator: inout G
    ) {
        precondition(inputSize > 0 && hiddenSize > 0, "RNNCell: sizes must be positive, got inputSize \(inputSize), hiddenSize \(hiddenSize)")
        let bound = 1 / Scalar(hiddenSize).squareRoot()
        self.init(
            weightIH: uniformTensor([hiddenSize, inputSize], bound: bound, using: &generator),
            weightHH: uniformTensor([hiddenSize, hiddenSize], bound: bound, using: &generator),
            biasIH: uniformTensor([hiddenSize], bound: bound, using: &generator),
            biasHH: uniformTensor([hiddenSize], bound: bound, using: &generator),
            nonlinearity: nonlinearity)
    }

    /// PyTorch's default initialization from a `Xoshiro256StarStar` seeded with `seed`.
    public init(inputSize: Int, hiddenSize: Int, nonlinearity: Nonlinearity = .tanh, seed: UInt64) {
        var generator = Xoshiro256StarStar(seed: seed)
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, nonlinearity: nonlinearity, using: &generator)
    }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("weightIH", weightIH)
        try visitor("weightHH", weightHH)
        try visitor("biasIH", biasIH)
        try visitor("biasHH", biasHH)
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("weightIH", &weightIH)
        try visitor("weightHH", &weightHH)
        try visitor("biasIH", &biasIH)
        try visitor("biasHH", &biasHH)
    }

    /// Zeros `[batchSize, hiddenSize]`.
    public func zeroState(batchSize: Int) -> Tensor<Scalar> { .zeros([batchSize, hiddenSize]) }

    /// hₜ = act(xₜ W_ihᵀ + b_ih + hₜ₋₁ W_hhᵀ + b_hh).
    public func step(_ input: Tensor<Scalar>, state: Tensor<Scalar>) -> (output: Tensor<Scalar>, state: Tensor<Scalar>, cache: StepCache) {
        gatedStep(input, state: state, operation: "RNNCell.step")
    }

    /// ∂L/∂z = ∂L/∂hₜ ∘ act′(z); the rest follows from the two projections.
    public func backwardStep(
        outputGradient: Tensor<Scalar>, stateGradient: Tensor<Scalar>, cache: StepCache, gradients: inout ParameterSet<Scalar>
    ) -> (inputGradient: Tensor<Scalar>, stateGradient: Tensor<Scalar>) {
        gatedBackwardStep(
            outputGradient: outputGradient, stateGradient: stateGradient, cache: cache, gradients: &gradients,
            operation: "RNNCell.backwardStep")
    }

    public func pointwiseForward(
        inputProjection: Tensor<Scalar>, hiddenProjection: Tensor<Scalar>, state: Tensor<Scalar>
    ) -> (state: Tensor<Scalar>, cache: PointwiseCache) {
        var hidden = inputProjection + hiddenProjection
        hidden.apply(nonlinearity == .tanh ? .tanh : .relu)
        return (hidden, PointwiseCache(hidden: hidden))
    }

    public func pointwiseBackward(
        stateGradient: Tensor<Scalar>, cache: PointwiseCache
    ) -> (inputProjectionGradient: Tensor<Scalar>, hiddenProjectionGradient: Tensor<Scalar>, stateGradient: Tensor<Scalar>) {
        let derivative: Tensor<Scalar>
        switch nonlinearity {
        case .tanh:
            derivative = tanhDerivative(cache.hidden)
        case .relu:
            // 1 where h > 0, else 0: clamping h ≥ 0 to [0, m] and dividing by m (a power of two)
            // is exact for every normal h.
            let m = Scalar.leastNormalMagnitude
            derivative = cache.hidden.clamped(lower: 0, upper: m) * (1 / m)
        }
        let gradient = stateGradient * derivative
        return (gradient, gradient, .zeros(like: stateGradient))
    }
}
