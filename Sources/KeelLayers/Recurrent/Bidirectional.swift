/// Two recurrent layers over the same sequence, one forward and one reversed in time, with
/// their outputs concatenated on the feature axis, as PyTorch's `bidirectional=True`.
///
///     yₜ = [ →hₜ , ←hₜ ],   →h runs t = 0…T−1,   ←h runs t = T−1…0
///
/// Parameter keys are the two layers' keys under `forward.` and `backward.`
/// (`forward.weightIH`, `backward.weightIH`, …). The final state holds each direction's state
/// after its last step (for the backward direction, after t = 0), like PyTorch's `h_n`.
///
/// **Shapes.** input `[T, batch, inputSize]` (`[batch, T, inputSize]` with `batchFirst`);
/// output `[T, batch, 2·hiddenSize]` (`[batch, T, 2·hiddenSize]`).
///
/// ## References
/// - M. Schuster, K. K. Paliwal, "Bidirectional recurrent neural networks", IEEE Trans. Signal
///   Processing 45 (1997).
public struct Bidirectional<C: Cell>: Layer, RecurrentSequenceLayer, Sendable {
    public typealias Scalar = C.Scalar
    /// The state of both directions.
    public typealias State = BidirectionalState<C.State>

    /// What the forward pass saves: each direction's cache.
    public struct Cache {
        let forward: RecurrentCache<C>
        let backward: RecurrentCache<C>
        /// The state of both directions after their last steps.
        public var finalState: BidirectionalState<C.State> {
            BidirectionalState(forward: forward.finalState, backward: backward.finalState)
        }
    }

    /// The direction that reads t = 0…T−1.
    public var forwardLayer: Recurrent<C>
    /// The direction that reads t = T−1…0.
    public var backwardLayer: Recurrent<C>
    /// Whether inputs and outputs are `[batch, time, features]`.
    public var batchFirst: Bool

    /// A bidirectional layer from the two directions' cells (same input and hidden sizes).
    /// Whether backward computes ∂L/∂input (both directions); see ``Recurrent/computesInputGradient``.
    public var computesInputGradient: Bool {
        get { forwardLayer.computesInputGradient }
        set {
            forwardLayer.computesInputGradient = newValue
            backwardLayer.computesInputGradient = newValue
        }
    }

    public init(forward: C, backward: C, batchFirst: Bool = false, usesFusedPath: Bool = true) {
        precondition(
            forward.inputSize == backward.inputSize && forward.hiddenSize == backward.hiddenSize,
            "Bidirectional: the directions differ in sizes: forward \(forward.inputSize)→\(forward.hiddenSize), backward \(backward.inputSize)→\(backward.hiddenSize)")
        forwardLayer = Recurrent(cell: forward, usesFusedPath: usesFusedPath)
        backwardLayer = Recurrent(cell: backward, usesFusedPath: usesFusedPath)
        self.batchFirst = batchFirst
    }

    /// Features of each input step.
    public var inputSize: Int { forwardLayer.inputSize }
    /// Features of each output step, 2·hiddenSize.
    public var outputSize: Int { 2 * forwardLayer.hiddenSize }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try forwardLayer.visitParameters { try visitor(ParameterKey("forward").appending($0), $1) }
        try backwardLayer.visitParameters { try visitor(ParameterKey("backward").appending($0), $1) }
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try forwardLayer.updateParameters { try visitor(ParameterKey("forward").appending($0), &$1) }
        try backwardLayer.updateParameters { try visitor(ParameterKey("backward").appending($0), &$1) }
    }

    /// Both directions' zero states.
    public func zeroState(batchSize: Int) -> State {
        BidirectionalState(forward: forwardLayer.zeroState(batchSize: batchSize), backward: backwardLayer.zeroState(batchSize: batchSize))
    }

    /// Runs both directions from zero states.
    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Cache) {
        let result = forward(input, initialState: nil, context: &context)
        return (result.output, result.cache)
    }

    /// Runs both directions from `initialState` (zeros when nil).
    public func forward(
        _ input: Tensor<Scalar>, initialState: State?, context: inout ForwardContext
    ) -> (output: Tensor<Scalar>, finalState: State, cache: Cache) {
        precondition(input.rank == 3, "Bidirectional.forward: input has shape \(input.shape), expected rank 3")
        let sequence = batchFirst ? input.swappingAxes(0, 1) : input
        let (outputs, final, cache) = forwardSequence(sequence, initialState: initialState, context: &context)
        return (batchFirst ? outputs.swappingAxes(0, 1) : outputs, final, cache)
    }

    /// Runs both directions over a time-major `[T, batch, inputSize]` sequence from `initialState`
    /// (zero states when `nil`): outputs `[T, batch, 2·hiddenSize]` (forward features first), both
    /// final states, and the cache for `backwardSequence`.
    public func forwardSequence(
        _ sequence: Tensor<Scalar>, initialState: State?, context: inout ForwardContext
    ) -> (outputs: Tensor<Scalar>, finalState: State, cache: Cache) {
        let forwardResult = forwardLayer.forwardSequence(sequence, initialState: initialState?.forward, context: &context)
        precondition(sequence.shape[0] > 0, "Bidirectional.forward: empty sequence, input has shape \(sequence.shape)")
        let backwardResult = backwardLayer.forwardSequence(
            sequence.reversingTime(), initialState: initialState?.backward, context: &context)
        let outputs = Tensor.concatenate([forwardResult.outputs, backwardResult.outputs.reversingTime()], alongAxis: 2)
        let cache = Cache(forward: forwardResult.cache, backward: backwardResult.cache)
        return (outputs, cache.finalState, cache)
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Cache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        let sequenceGradient = batchFirst ? outputGradient.swappingAxes(0, 1) : outputGradient
        var context = SequenceBackwardContext()
        let inputGradient = backwardSequence(
            sequenceGradient, finalStateGradient: nil, cache: cache, gradients: &gradients, context: &context).inputGradient
        return batchFirst ? inputGradient.swappingAxes(0, 1) : inputGradient
    }

    /// The backward pass through both directions. The profile it records is
    /// √(‖∂L/∂→hₜ‖² + ‖∂L/∂←hₜ‖²) per step t, in input order.
    public func backwardSequence(
        _ outputsGradient: Tensor<Scalar>?, finalStateGradient: State?, cache: Cache,
        gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: State) {
        let hidden = forwardLayer.hiddenSize
        let expected = [cache.forward.timeSteps, cache.forward.batchSize, 2 * hidden]
        if let outputsGradient {
            precondition(
                outputsGradient.shape == expected,
                "Bidirectional.backward: outputs gradient has shape \(outputsGradient.shape), expected \(expected)")
        }
        let halves = outputsGradient?.split(count: 2, alongAxis: 2)
        var forwardContext = context.emptied, backwardContext = context.emptied
        let forwardResult = gradients.withScope("forward") {
            forwardLayer.backwardSequence(
                halves?[0], finalStateGradient: finalStateGradient?.forward, cache: cache.forward, gradients: &$0,
                context: &forwardContext)
        }
        let backwardResult = gradients.withScope("backward") {
            backwardLayer.backwardSequence(
                halves?[1].reversingTime(), finalStateGradient: finalStateGradient?.backward, cache: cache.backward,
                gradients: &$0, context: &backwardContext)
        }
        if let forwardProfile = forwardContext.gradientFlow.last, let backwardProfile = backwardContext.gradientFlow.last {
            let reversed = Array(backwardProfile.reversed())
            context.record(zip(forwardProfile, reversed).map { ($0 * $0 + $1 * $1).squareRoot() })
        }
        let inputGradient = forwardResult.inputGradient + backwardResult.inputGradient.reversingTime()
        return (inputGradient, BidirectionalState(forward: forwardResult.initialStateGradient, backward: backwardResult.initialStateGradient))
    }
}

/// The state of a ``Bidirectional`` layer: one state per direction.
public struct BidirectionalState<DirectionState> {
    /// The state of the direction reading t = 0…T−1.
    public var forward: DirectionState
    /// The state of the direction reading t = T−1…0.
    public var backward: DirectionState

    /// A state from the two directions' states.
    public init(forward: DirectionState, backward: DirectionState) {
        self.forward = forward
        self.backward = backward
    }
}

extension BidirectionalState: Sendable where DirectionState: Sendable {}
