/// The gated recurrent unit with PyTorch's semantics: gate order (r, z, n), and the reset gate
/// applied after the hidden matmul (ONNX `linear_before_reset = 1`).
///
///     rₜ = σ(W_ir xₜ + b_ir + W_hr hₜ₋₁ + b_hr)
///     zₜ = σ(W_iz xₜ + b_iz + W_hz hₜ₋₁ + b_hz)
///     nₜ = tanh(W_in xₜ + b_in + rₜ ∘ (W_hn hₜ₋₁ + b_hn))
///     hₜ = (1 − zₜ) ∘ nₜ + zₜ ∘ hₜ₋₁
///
/// **Shapes.** input `[batch, inputSize]`; state and output `[batch, hiddenSize]`;
/// `weightIH` `[3H, inputSize]`, `weightHH` `[3H, H]`, `biasIH` and `biasHH` `[3H]`, blocks in
/// the order reset, update, new: exactly PyTorch's `weight_ih_l0` etc. Parameter keys:
/// `weightIH`, `weightHH`, `biasIH`, `biasHH`.
///
/// ## References
/// - K. Cho et al., "Learning phrase representations using RNN encoder–decoder for statistical
///   machine translation", EMNLP 2014.
public struct GRUCell<Scalar: TensorScalar>: GatedRecurrentCell, Sendable {
    /// The state is the hidden tensor `[batch, hiddenSize]`.
    public typealias State = Tensor<Scalar>
    /// What a step saves for its backward pass.
    public typealias StepCache = GatedStepCache<Scalar, State, PointwiseCache>

    /// The whole-sequence kernel of this cell's math (`.gru`).
    public var sequenceKernel: Kernels.RecurrentCellKind? { .gru }

    /// What the pointwise math saves: r, z, n, W_hn h + b_hn and hₜ₋₁.
    public struct PointwiseCache: Sendable {
        /// The activated gates [r, z, n], `[batch, 3·hidden]`.
        let gates: Tensor<Scalar>
        /// W_hh·h₋₁ + b_hh, `[batch, 3·hidden]` (the n block is needed by backward).
        let hiddenProjection: Tensor<Scalar>
        let previousHidden: Tensor<Scalar>
    }

    /// Three gate blocks.
    public static var gateCount: Int { 3 }

    /// W_ih, `[3H, inputSize]`, blocks (r, z, n).
    public var weightIH: Tensor<Scalar>
    /// W_hh, `[3H, H]`, blocks (r, z, n).
    public var weightHH: Tensor<Scalar>
    /// b_ih, `[3H]`.
    public var biasIH: Tensor<Scalar>
    /// b_hh, `[3H]`.
    public var biasHH: Tensor<Scalar>

    /// Features of each input step.
    public var inputSize: Int { weightIH.shape[1] }
    /// Features of the hidden state.
    public var hiddenSize: Int { weightHH.shape[1] }

    /// A cell with explicit parameters in PyTorch's layout.
    ///
    /// - Precondition: the shapes are `[3H, I]`, `[3H, H]`, `[3H]`, `[3H]`.
    public init(weightIH: Tensor<Scalar>, weightHH: Tensor<Scalar>, biasIH: Tensor<Scalar>, biasHH: Tensor<Scalar>) {
        Self.checkGatedShapes(weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH, operation: "GRUCell")
        self.weightIH = weightIH
        self.weightHH = weightHH
        self.biasIH = biasIH
        self.biasHH = biasHH
    }

    /// A cell with PyTorch's default initialization: every parameter U(−1/√H, 1/√H), drawn in
    /// the order weightIH, weightHH, biasIH, biasHH.
    public init<G: RandomNumberGenerator>(inputSize: Int, hiddenSize: Int, using generator: inout G) {
        precondition(inputSize > 0 && hiddenSize > 0, "GRUCell: sizes must be positive, got inputSize \(inputSize), hiddenSize \(hiddenSize)")
        let bound = 1 / Scalar(hiddenSize).squareRoot()
        self.init(
            weightIH: uniformTensor([3 * hiddenSize, inputSize], bound: bound, using: &generator),
            weightHH: uniformTensor([3 * hiddenSize, hiddenSize], bound: bound, using: &generator),
            biasIH: uniformTensor([3 * hiddenSize], bound: bound, using: &generator),
            biasHH: uniformTensor([3 * hiddenSize], bound: bound, using: &generator))
    }

    /// PyTorch's default initialization from a `Xoshiro256StarStar` seeded with `seed`.
    public init(inputSize: Int, hiddenSize: Int, seed: UInt64) {
        var generator = Xoshiro256StarStar(seed: seed)
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, using: &generator)
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

    /// One GRU step (see the type's equations).
    public func step(_ input: Tensor<Scalar>, state: Tensor<Scalar>) -> (output: Tensor<Scalar>, state: Tensor<Scalar>, cache: StepCache) {
        gatedStep(input, state: state, operation: "GRUCell.step")
    }

    /// The backward pass of one step.
    public func backwardStep(
        outputGradient: Tensor<Scalar>, stateGradient: Tensor<Scalar>, cache: StepCache, gradients: inout ParameterSet<Scalar>
    ) -> (inputGradient: Tensor<Scalar>, stateGradient: Tensor<Scalar>) {
        gatedBackwardStep(
            outputGradient: outputGradient, stateGradient: stateGradient, cache: cache, gradients: &gradients,
            operation: "GRUCell.backwardStep")
    }

    public func pointwiseForward(
        inputProjection: Tensor<Scalar>, hiddenProjection: Tensor<Scalar>, state: Tensor<Scalar>
    ) -> (state: Tensor<Scalar>, cache: PointwiseCache) {
        let (gates, hiddenState) = Kernels.gruPointwiseForward(
            inputProjection: inputProjection, hiddenProjection: hiddenProjection, previousHidden: state)
        return (hiddenState, PointwiseCache(gates: gates, hiddenProjection: hiddenProjection, previousHidden: state))
    }

    public func pointwiseBackward(
        stateGradient: Tensor<Scalar>, cache: PointwiseCache
    ) -> (inputProjectionGradient: Tensor<Scalar>, hiddenProjectionGradient: Tensor<Scalar>, stateGradient: Tensor<Scalar>) {
        let (inputGradient, hiddenGradient, direct) = Kernels.gruPointwiseBackward(
            gates: cache.gates, hiddenProjection: cache.hiddenProjection, previousHidden: cache.previousHidden,
            hiddenGradient: stateGradient)
        return (inputGradient, hiddenGradient, direct)
    }
}
