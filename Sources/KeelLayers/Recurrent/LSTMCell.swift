/// The long short-term memory cell, with PyTorch's gate order (i, f, g, o) and bias layout.
///
///     [iₜ, fₜ, gₜ, oₜ] = xₜ W_ihᵀ + b_ih + hₜ₋₁ W_hhᵀ + b_hh     (split into four blocks of H)
///     iₜ = σ(·), fₜ = σ(·), gₜ = tanh(·), oₜ = σ(·)
///     cₜ = fₜ ∘ cₜ₋₁ + iₜ ∘ gₜ
///     hₜ = oₜ ∘ tanh(cₜ)
///
/// **Shapes.** input `[batch, inputSize]`; output, hidden and cell state `[batch, hiddenSize]`;
/// `weightIH` `[4H, inputSize]`, `weightHH` `[4H, H]`, `biasIH` and `biasHH` `[4H]`, rows in
/// the order input gate, forget gate, cell candidate, output gate: exactly PyTorch's
/// `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`. Parameter keys: `weightIH`,
/// `weightHH`, `biasIH`, `biasHH`.
///
/// ## References
/// - S. Hochreiter, J. Schmidhuber, "Long short-term memory", Neural Computation 9 (1997).
/// - F. A. Gers, J. Schmidhuber, F. Cummins, "Learning to forget: continual prediction with
///   LSTM", Neural Computation 12 (2000) (the forget gate).
/// - R. Jozefowicz, W. Zaremba, I. Sutskever, "An empirical exploration of recurrent network
///   architectures", ICML 2015 (forget-gate bias 1).
public struct LSTMCell<Scalar: TensorScalar>: GatedRecurrentCell, Sendable {
    /// The four gate blocks, in PyTorch's order.
    public enum Gate: Int, Sendable, CaseIterable {
        /// iₜ = σ(·): how much of the candidate enters the cell.
        case input
        /// fₜ = σ(·): how much of the previous cell state is kept.
        case forget
        /// gₜ = tanh(·): the candidate cell values.
        case cell
        /// oₜ = σ(·): how much of tanh(cₜ) is exposed.
        case output
    }

    /// The hidden and cell state.
    public typealias State = LSTMState<Scalar>
    /// What a step saves for its backward pass.
    public typealias StepCache = GatedStepCache<Scalar, State, PointwiseCache>

    /// The whole-sequence kernel of this cell's math (`.lstm`).
    public var sequenceKernel: Kernels.RecurrentCellKind? { .lstm }

    /// `true`: the gates read one pre-activation sum, so both projection gradients are one tensor.
    public static var sharesProjectionGradients: Bool { true }

    /// What the pointwise math saves: the four gate activations, tanh(cₜ) and cₜ₋₁.
    public struct PointwiseCache: Sendable {
        /// The activated gates [i, f, g, o], `[batch, 4·hidden]`.
        let gates: Tensor<Scalar>
        let cellTanh, previousCell: Tensor<Scalar>
    }

    /// Four gate blocks.
    public static var gateCount: Int { 4 }

    /// W_ih, `[4H, inputSize]`, gate blocks (i, f, g, o).
    public var weightIH: Tensor<Scalar>
    /// W_hh, `[4H, H]`, gate blocks (i, f, g, o).
    public var weightHH: Tensor<Scalar>
    /// b_ih, `[4H]`.
    public var biasIH: Tensor<Scalar>
    /// b_hh, `[4H]`.
    public var biasHH: Tensor<Scalar>

    /// Features of each input step.
    public var inputSize: Int { weightIH.shape[1] }
    /// Features of the hidden and cell state.
    public var hiddenSize: Int { weightHH.shape[1] }

    /// A cell with explicit parameters in PyTorch's layout.
    ///
    /// - Precondition: the shapes are `[4H, I]`, `[4H, H]`, `[4H]`, `[4H]`.
    public init(weightIH: Tensor<Scalar>, weightHH: Tensor<Scalar>, biasIH: Tensor<Scalar>, biasHH: Tensor<Scalar>) {
        Self.checkGatedShapes(weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH, operation: "LSTMCell")
        self.weightIH = weightIH
        self.weightHH = weightHH
        self.biasIH = biasIH
        self.biasHH = biasHH
    }

    /// A cell with PyTorch's default initialization: every parameter U(−1/√H, 1/√H), drawn in
    /// the order weightIH, weightHH, biasIH, biasHH; then, if `forgetGateBias` is given, the
    /// forget-gate bias b_ih[f] + b_hh[f] is set to it (1 is the common choice).
    public init<G: RandomNumberGenerator>(
        inputSize: Int, hiddenSize: Int, forgetGateBias: Scalar? = nil, using generator: inout G
    ) {
        precondition(inputSize > 0 && hiddenSize > 0, "LSTMCell: sizes must be positive, got inputSize \(inputSize), hiddenSize \(hiddenSize)")
        let bound = 1 / Scalar(hiddenSize).squareRoot()
        self.init(
            weightIH: uniformTensor([4 * hiddenSize, inputSize], bound: bound, using: &generator),
            weightHH: uniformTensor([4 * hiddenSize, hiddenSize], bound: bound, using: &generator),
            biasIH: uniformTensor([4 * hiddenSize], bound: bound, using: &generator),
            biasHH: uniformTensor([4 * hiddenSize], bound: bound, using: &generator))
        if let forgetGateBias { self.forgetGateBias = .filled([hiddenSize], with: forgetGateBias) }
    }

    /// PyTorch's default initialization from a `Xoshiro256StarStar` seeded with `seed`.
    public init(inputSize: Int, hiddenSize: Int, forgetGateBias: Scalar? = nil, seed: UInt64) {
        var generator = Xoshiro256StarStar(seed: seed)
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, forgetGateBias: forgetGateBias, using: &generator)
    }

    /// The effective bias of the forget gate, b_ih[f] + b_hh[f] (`[H]`). Setting it stores the
    /// value in b_ih[f] and zeros b_hh[f].
    public var forgetGateBias: Tensor<Scalar> {
        get { bias(of: .forget) }
        set { setBias(of: .forget, to: newValue) }
    }

    /// The effective bias b_ih + b_hh of one gate, `[H]`.
    public func bias(of gate: Gate) -> Tensor<Scalar> {
        let range = rows(of: gate)
        return biasIH.slice(range) + biasHH.slice(range)
    }

    /// Sets the effective bias of `gate` to `value` (`[H]`): b_ih[gate] = value, b_hh[gate] = 0.
    public mutating func setBias(of gate: Gate, to value: Tensor<Scalar>) {
        precondition(value.shape == [hiddenSize], "LSTMCell.setBias(of:to:): value has shape \(value.shape), expected [\(hiddenSize)]")
        let range = rows(of: gate)
        biasIH = Self.replacing(biasIH, rows: range, with: value)
        biasHH = Self.replacing(biasHH, rows: range, with: .zeros([hiddenSize]))
    }

    /// The input weights of one gate, `[H, inputSize]`.
    public func inputWeight(of gate: Gate) -> Tensor<Scalar> { weightIH.slice(rows(of: gate)) }

    /// The recurrent weights of one gate, `[H, H]`.
    public func hiddenWeight(of gate: Gate) -> Tensor<Scalar> { weightHH.slice(rows(of: gate)) }

    private func rows(of gate: Gate) -> Range<Int> { (gate.rawValue * hiddenSize)..<((gate.rawValue + 1) * hiddenSize) }

    private static func replacing(_ tensor: Tensor<Scalar>, rows range: Range<Int>, with value: Tensor<Scalar>) -> Tensor<Scalar> {
        .concatenate([tensor.slice(0..<range.lowerBound), value, tensor.slice(range.upperBound..<tensor.shape[0])])
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

    /// Zero hidden and cell state, `[batchSize, hiddenSize]` each.
    public func zeroState(batchSize: Int) -> LSTMState<Scalar> {
        LSTMState(hidden: .zeros([batchSize, hiddenSize]), cell: .zeros([batchSize, hiddenSize]))
    }

    /// One LSTM step (see the type's equations).
    public func step(_ input: Tensor<Scalar>, state: LSTMState<Scalar>) -> (output: Tensor<Scalar>, state: LSTMState<Scalar>, cache: StepCache) {
        gatedStep(input, state: state, operation: "LSTMCell.step")
    }

    /// The backward pass of one step.
    public func backwardStep(
        outputGradient: Tensor<Scalar>, stateGradient: LSTMState<Scalar>, cache: StepCache, gradients: inout ParameterSet<Scalar>
    ) -> (inputGradient: Tensor<Scalar>, stateGradient: LSTMState<Scalar>) {
        gatedBackwardStep(
            outputGradient: outputGradient, stateGradient: stateGradient, cache: cache, gradients: &gradients,
            operation: "LSTMCell.backwardStep")
    }

    public func pointwiseForward(
        inputProjection: Tensor<Scalar>, hiddenProjection: Tensor<Scalar>, state: LSTMState<Scalar>
    ) -> (state: LSTMState<Scalar>, cache: PointwiseCache) {
        let (gates, cell, cellTanh, hiddenState) = Kernels.lstmPointwiseForward(
            inputProjection: inputProjection, hiddenProjection: hiddenProjection, previousCell: state.cell)
        let cache = PointwiseCache(gates: gates, cellTanh: cellTanh, previousCell: state.cell)
        return (LSTMState(hidden: hiddenState, cell: cell), cache)
    }

    public func pointwiseBackward(
        stateGradient: LSTMState<Scalar>, cache: PointwiseCache
    ) -> (inputProjectionGradient: Tensor<Scalar>, hiddenProjectionGradient: Tensor<Scalar>, stateGradient: LSTMState<Scalar>) {
        let (dz, previousCellGradient) = Kernels.lstmPointwiseBackward(
            gates: cache.gates, previousCell: cache.previousCell, cellTanh: cache.cellTanh,
            hiddenGradient: stateGradient.hidden, cellGradient: stateGradient.cell)
        let previous = LSTMState(hidden: .zeros(cache.previousCell.shape), cell: previousCellGradient)
        return (dz, dz, previous)
    }
}
