/// Runs a `Cell` over a sequence: backpropagation through time written once for every cell.
///
/// The forward pass computes, for t = 0…T−1,
///
///     (yₜ, sₜ₊₁) = cell.step(xₜ, sₜ),    s₀ = initial state (zeros by default)
///
/// and returns every output y₀…y_{T−1} (`returnsSequences`) or only the last. The backward pass
/// runs `Cell.backwardStep(outputGradient:stateGradient:cache:gradients:)` for t = T−1…0,
/// carrying ∂L/∂sₜ between steps, and adds ∂L/∂θ under the cell's keys (`weightIH`, … for the
/// built-in cells: a `Recurrent` has the same parameter keys as its cell).
///
/// Built-in cells (``GatedRecurrentCell``: ``RNNCell``, ``LSTMCell``, ``GRUCell``) run on a fused
/// path with the same results: the input projection of all steps as one GEMM
/// `[T·batch, inputSize]·[inputSize, G·hiddenSize]`, one recurrent GEMM per step for all gates,
/// and ∂L/∂W_ih, ∂L/∂W_hh and ∂L/∂x as one GEMM each over all steps.
///
/// **Truncated BPTT (k1, k2).** Split a long sequence into windows of k1 steps. Run each window
/// with ``forward(_:initialState:context:)`` from the previous window's
/// ``RecurrentCache/finalState`` and backpropagate it with
/// ``backward(_:finalStateGradient:cache:gradients:context:)``, passing a
/// `SequenceBackwardContext` with `truncationDepth: k2` (k2 ≤ k1): gradients flow through at most the last k2 steps of the
/// window, and never into the previous window, whose graph is gone: the carried state is a
/// constant. k2 = k1 (the default, `nil`) is the common choice; a window of the whole sequence
/// is exactly full BPTT.
///
/// **Gradient-flow profile.** Pass a context with `recordsGradientFlow` to the backward pass: the
/// layer records ‖∂L/∂hₜ‖₂ for t = 0…T−1 (the total gradient reaching the hidden state at step t: from the
/// output and from the future). Exploding gradients show as growth towards small t, vanishing
/// ones as decay. Requires a state conforming to ``RecurrentHiddenState``.
///
/// **Shapes.** input `[T, batch, inputSize]` (`[batch, T, inputSize]` with `batchFirst`);
/// output `[T, batch, hiddenSize]` (`[batch, T, hiddenSize]` with `batchFirst`) or
/// `[batch, hiddenSize]` when only the last output is returned.
///
/// ## References
/// - P. J. Werbos, "Backpropagation through time: what it does and how to do it", Proc. IEEE 78 (1990).
/// - R. J. Williams, J. Peng, "An efficient gradient-based algorithm for on-line training of
///   recurrent network trajectories", Neural Computation 2 (1990) (BPTT(k1, k2)).
/// - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
///   networks", ICML 2013 (gradient norms over time).
public struct Recurrent<C: Cell>: Layer, RecurrentSequenceLayer, Sendable {
    public typealias Scalar = C.Scalar

    /// The cell run at every step.
    public var cell: C
    /// Whether the output holds every step (`true`) or only the last (`false`).
    public var returnsSequences: Bool
    /// Whether inputs and outputs are `[batch, time, features]` instead of `[time, batch, features]`.
    public var batchFirst: Bool
    /// Whether built-in cells run on the fused path (`true`, the default) or step by step through
    /// the `Cell` protocol. Both give the same results; the switch exists for testing and profiling.
    public var usesFusedPath: Bool
    /// Whether backward computes ∂L/∂input (`true`, the default). Set it to `false` on a first
    /// layer whose input is data, as PyTorch does for tensors that don't require gradients: the
    /// fused path then skips the input-gradient GEMM (about 6% of an LSTM step at input 64,
    /// hidden 256) and backward returns zeros of the input's shape.
    public var computesInputGradient = true
    /// Terms whose gradients the backward pass adds (regularizers, e.g. Pascanu et al.'s
    /// ``VanishingGradientRegularizer``); attach them with ``addGradientTerm(_:)``.
    public private(set) var gradientTerms: [any RecurrentGradientTerm] = []

    /// A layer running `cell` over sequences.
    public init(cell: C, returnsSequences: Bool = true, batchFirst: Bool = false, usesFusedPath: Bool = true) {
        self.cell = cell
        self.returnsSequences = returnsSequences
        self.batchFirst = batchFirst
        self.usesFusedPath = usesFusedPath
    }

    /// Attaches a gradient term, after checking that it is defined for this layer's cell.
    ///
    /// - Throws: `RecurrentGradientTermError` when the term does not apply to the cell's
    ///   `Cell.sequenceKernel` (Pascanu's regularizer needs an ``RNNCell``).
    public mutating func addGradientTerm(_ term: some RecurrentGradientTerm) throws {
        try term.validate(sequenceKernel: cell.sequenceKernel)
        gradientTerms.append(term)
    }

    /// Features of each input step.
    public var inputSize: Int { cell.inputSize }
    /// Features of each output step.
    public var hiddenSize: Int { cell.hiddenSize }
    /// Features of each output step (``hiddenSize``).
    public var outputSize: Int { cell.hiddenSize }

    /// The cell's zero state.
    public func zeroState(batchSize: Int) -> C.State { cell.zeroState(batchSize: batchSize) }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try cell.visitParameters(visitor)
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try cell.updateParameters(visitor)
    }

    /// Runs the sequence from the zero state.
    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: RecurrentCache<C>) {
        let result = forward(input, initialState: nil, context: &context)
        return (result.output, result.cache)
    }

    /// Runs the sequence from `initialState` (zeros when `nil`) and returns the final state too.
    ///
    /// - Precondition: `input` is `[T, batch, inputSize]` (or `[batch, T, inputSize]` with
    ///   `batchFirst`) with T ≥ 1 and batch ≥ 1; the state's tensors are `[batch, hiddenSize]`.
    public func forward(
        _ input: Tensor<Scalar>, initialState: C.State?, context: inout ForwardContext
    ) -> (output: Tensor<Scalar>, finalState: C.State, cache: RecurrentCache<C>) {
        let layout = batchFirst ? "[batch, time, inputSize]" : "[time, batch, inputSize]"
        precondition(
            input.rank == 3 && input.shape[2] == cell.inputSize,
            "Recurrent.forward: input has shape \(input.shape), expected \(layout) with inputSize \(cell.inputSize)")
        let sequence = batchFirst ? input.swappingAxes(0, 1) : input
        let (outputs, finalState, cache) = forwardSequence(sequence, initialState: initialState, context: &context)
        let output: Tensor<Scalar>
        if returnsSequences {
            output = batchFirst ? outputs.swappingAxes(0, 1) : outputs
        } else {
            output = outputs[cache.timeSteps - 1]
        }
        return (output, finalState, cache)
    }

    /// Runs a time-major sequence `[T, batch, inputSize]` and returns every output
    /// `[T, batch, hiddenSize]`, whatever ``returnsSequences`` and ``batchFirst`` say: the
    /// ``RecurrentSequenceLayer`` face that stacks use.
    public func forwardSequence(
        _ sequence: Tensor<Scalar>, initialState: C.State?, context: inout ForwardContext
    ) -> (outputs: Tensor<Scalar>, finalState: C.State, cache: RecurrentCache<C>) {
        precondition(
            sequence.rank == 3 && sequence.shape[2] == cell.inputSize,
            "Recurrent.forwardSequence: input has shape \(sequence.shape), expected [time, batch, inputSize] with inputSize \(cell.inputSize)")
        let timeSteps = sequence.shape[0], batchSize = sequence.shape[1]
        precondition(timeSteps > 0, "Recurrent.forward: empty sequence, input has shape \(sequence.shape) ([time, batch, inputSize])")
        precondition(batchSize > 0, "Recurrent.forward: empty batch, input has shape \(sequence.shape) ([time, batch, inputSize])")
        let state = checkedInitialState(initialState, batchSize: batchSize)

        let outputs: Tensor<Scalar>
        let finalState: C.State
        let storage: RecurrentCache<C>.Storage
        if usesFusedPath, let result = cell.forwardSequence(sequence, initialState: state) {
            outputs = result.outputs
            finalState = result.finalState
            storage = .sequence(result.cache)
        } else {
            var current = state
            var stepOutputs: [Tensor<Scalar>] = []
            var caches: [C.StepCache] = []
            stepOutputs.reserveCapacity(timeSteps)
            caches.reserveCapacity(timeSteps)
            for t in 0..<timeSteps {
                let (output, next, cache) = cell.step(sequence[t], state: current)
                stepOutputs.append(output)
                caches.append(cache)
                current = next
            }
            outputs = Tensor.stack(stepOutputs)
            finalState = current
            storage = .steps(caches)
        }
        return (outputs, finalState, RecurrentCache<C>(storage: storage, timeSteps: timeSteps, batchSize: batchSize, finalState: finalState))
    }

    /// Backpropagates through time; the gradient of the initial state is discarded.
    public func backward(_ outputGradient: Tensor<Scalar>, cache: RecurrentCache<C>, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        var context = SequenceBackwardContext()
        return backward(outputGradient, finalStateGradient: nil, cache: cache, gradients: &gradients, context: &context).inputGradient
    }

    /// Backpropagates through time, with the final-state gradient, truncation and gradient-flow
    /// profile that truncated BPTT and monitors need.
    ///
    /// - Parameters:
    ///   - outputGradient: ∂L/∂output, the shape of the forward output.
    ///   - finalStateGradient: ∂L/∂s_T when the loss depends on the final state (nil: zero).
    ///   - cache: the cache of the forward pass.
    ///   - gradients: ∂L/∂θ is added here under the cell's keys.
    ///   - context: the truncation depth k2 (backpropagate through at most the last k2 steps; output
    ///     gradients of earlier steps are ignored and the initial-state gradient is zero) and,
    ///     when it records gradient flow, receives T norms ‖∂L/∂hₜ‖₂ (0 for steps beyond k2).
    /// - Returns: ∂L/∂input (the shape of the input) and ∂L/∂s₀.
    public func backward(
        _ outputGradient: Tensor<Scalar>, finalStateGradient: C.State?, cache: RecurrentCache<C>,
        gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: C.State) {
        let timeSteps = cache.timeSteps, batchSize = cache.batchSize, hiddenSize = cell.hiddenSize
        let expected = returnsSequences
            ? (batchFirst ? [batchSize, timeSteps, hiddenSize] : [timeSteps, batchSize, hiddenSize])
            : [batchSize, hiddenSize]
        precondition(
            outputGradient.shape == expected,
            "Recurrent.backward: output gradient has shape \(outputGradient.shape), expected the output shape \(expected)")
        let sequenceGradient = returnsSequences && batchFirst ? outputGradient.swappingAxes(0, 1) : outputGradient
        let (inputGradient, initialStateGradient) = backpropagate(
            returnsSequences ? sequenceGradient : nil, lastStepGradient: returnsSequences ? nil : sequenceGradient,
            finalStateGradient: finalStateGradient, cache: cache, gradients: &gradients, context: &context)
        return (batchFirst ? inputGradient.swappingAxes(0, 1) : inputGradient, initialStateGradient)
    }

    /// The backward pass of ``forwardSequence(_:initialState:context:)``: `outputsGradient` is
    /// `[T, batch, hiddenSize]` (nil: the loss depends only on the final state). See
    /// ``backward(_:finalStateGradient:cache:gradients:context:)``.
    public func backwardSequence(
        _ outputsGradient: Tensor<Scalar>?, finalStateGradient: C.State?, cache: RecurrentCache<C>,
        gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: C.State) {
        let expected = [cache.timeSteps, cache.batchSize, cell.hiddenSize]
        if let outputsGradient {
            precondition(
                outputsGradient.shape == expected,
                "Recurrent.backwardSequence: outputs gradient has shape \(outputsGradient.shape), expected \(expected)")
        }
        return backpropagate(
            outputsGradient, lastStepGradient: nil, finalStateGradient: finalStateGradient, cache: cache,
            gradients: &gradients, context: &context)
    }

    /// The backward pass when only the last output has a gradient (`[batch, hiddenSize]`): it joins
    /// the carried gradient at step T − 1, as ``backward(_:finalStateGradient:cache:gradients:context:)``
    /// does for a layer that returns only its last output.
    public func backwardSequence(
        lastOutputGradient: Tensor<Scalar>, timeSteps: Int, finalStateGradient: C.State?, cache: RecurrentCache<C>,
        gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: C.State) {
        let expected = [cache.batchSize, cell.hiddenSize]
        precondition(
            timeSteps == cache.timeSteps && lastOutputGradient.shape == expected,
            "Recurrent.backwardSequence: last output gradient has shape \(lastOutputGradient.shape) for \(timeSteps) steps, expected \(expected) for \(cache.timeSteps)")
        return backpropagate(
            nil, lastStepGradient: lastOutputGradient, finalStateGradient: finalStateGradient, cache: cache,
            gradients: &gradients, context: &context)
    }

    /// BPTT over the cached pass, with ∂L/∂yₜ from `sequenceGradient` (`[T, batch, hidden]`) or,
    /// when only the last output was returned, `lastStepGradient` (`[batch, hidden]`); returns a
    /// time-major input gradient; records the layer's profile in `context` when it asks.
    private func backpropagate(
        _ sequenceGradient: Tensor<Scalar>?, lastStepGradient: Tensor<Scalar>?, finalStateGradient: C.State?,
        cache: RecurrentCache<C>, gradients: inout ParameterSet<Scalar>, context outer: inout SequenceBackwardContext
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: C.State) {
        var profile: [Double]? = outer.recordsGradientFlow ? [] : nil
        defer { if let profile { outer.record(profile) } }
        let timeSteps = cache.timeSteps, batchSize = cache.batchSize, hiddenSize = cell.hiddenSize
        let stepGradient: (Int) -> Tensor<Scalar>? = { t in
            if let sequenceGradient { return sequenceGradient[t] }
            return t == timeSteps - 1 ? lastStepGradient : nil
        }
        let (stateGradient, kernelContext) = backwardSetup(
            finalStateGradient: finalStateGradient, timeSteps: timeSteps, batchSize: batchSize, context: outer,
            computesInputGradient: computesInputGradient)
        let depth = kernelContext.truncationDepth ?? timeSteps
        if profile != nil { profile = Array(repeating: 0, count: timeSteps) }
        switch cache.storage {
        case .sequence(let sequenceCache):
            var context = kernelContext
            let result = cell.backwardSequence(
                sequenceGradient, lastStepGradient: lastStepGradient, finalStateGradient: stateGradient, cache: sequenceCache,
                gradients: &gradients, context: &context)
            if profile != nil, let flow = context.gradientFlow { profile = flow }
            return result
        case .steps(let caches):
            precondition(
                gradientTerms.isEmpty,
                "Recurrent.backward: gradient terms need the cell's whole-sequence engine (usesFusedPath = true)")
            let first = max(0, timeSteps - depth)
            var carry = stateGradient
            var inputGradients: [Tensor<Scalar>] = []
            inputGradients.reserveCapacity(timeSteps)
            for t in stride(from: timeSteps - 1, through: first, by: -1) {
                let output = stepGradient(t) ?? .zeros([batchSize, hiddenSize])
                if profile != nil, let hidden = cell.hiddenPart(of: carry) {
                    profile![t] = (hidden + output).sumOfSquares().squareRoot()
                }
                let (input, previous) = cell.backwardStep(
                    outputGradient: output, stateGradient: carry, cache: caches[t], gradients: &gradients)
                inputGradients.append(input)
                carry = previous
            }
            let zeros = Array(repeating: Tensor<Scalar>.zeros([batchSize, cell.inputSize]), count: first)
            let initial = first == 0 ? carry : cell.zeroState(batchSize: batchSize)
            guard computesInputGradient else { return (.zeros([timeSteps, batchSize, cell.inputSize]), initial) }
            return (Tensor.stack(zeros + inputGradients.reversed()), initial)
        }
    }
}

extension Recurrent {
    /// The cell's token path (`Cell.forwardSequence(indices:table:timeSteps:batchSize:initialState:)`)
    /// on the fused engine; nil when the cell has none or ``usesFusedPath`` is off.
    public func forwardSequence(
        indices: [Int], table: Tensor<Scalar>, timeSteps: Int, batchSize: Int, initialState: C.State?
    ) -> (outputs: Tensor<Scalar>, finalState: C.State, cache: RecurrentCache<C>)? {
        guard usesFusedPath, timeSteps > 0, batchSize > 0 else { return nil }
        let state = checkedInitialState(initialState, batchSize: batchSize)
        guard
            let result = cell.forwardSequence(
                indices: indices, table: table, timeSteps: timeSteps, batchSize: batchSize, initialState: state)
        else { return nil }
        let cache = RecurrentCache<C>(
            storage: .sequence(result.cache), timeSteps: timeSteps, batchSize: batchSize, finalState: result.finalState)
        return (result.outputs, result.finalState, cache)
    }
}

extension Recurrent {
    /// The cell's whole-sequence kernel forward, described for a stack's wavefront (see
    /// `RecurrentSequenceLayer.forwardSequenceStage(_:timeSteps:batchSize:initialState:)`); nil when
    /// the cell has no kernel or ``usesFusedPath`` is off.
    public func forwardSequenceStage(
        _ input: SequenceKernelInput<Scalar>, timeSteps: Int, batchSize: Int, initialState: C.State?
    ) -> SequenceKernelForward<Scalar, (outputs: Tensor<Scalar>, finalState: C.State, cache: RecurrentCache<C>)>? {
        guard usesFusedPath, timeSteps > 0, batchSize > 0 else { return nil }
        let state = checkedInitialState(initialState, batchSize: batchSize)
        guard let stage = cell.sequenceKernelForward(input, timeSteps: timeSteps, batchSize: batchSize, initialState: state) else {
            return nil
        }
        return stage.map { result in
            let cache = RecurrentCache<C>(
                storage: .sequence(result.cache), timeSteps: timeSteps, batchSize: batchSize, finalState: result.finalState)
            return (result.outputs, result.finalState, cache)
        }
    }

    /// The cell's whole-sequence kernel backward, described for a stack's wavefront (see
    /// `RecurrentSequenceLayer.backwardSequenceStage(_:lastOutputGradient:finalStateGradient:cache:context:gradientFromAbove:returnsInputGradient:)`).
    public func backwardSequenceStage(
        _ outputsGradient: Tensor<Scalar>?, lastOutputGradient: Tensor<Scalar>?, finalStateGradient: C.State?,
        cache: RecurrentCache<C>, context: SequenceBackwardContext, gradientFromAbove: Bool, returnsInputGradient: Bool
    ) -> SequenceKernelBackward<
        Scalar, SequenceBackwardContext, (inputGradient: Tensor<Scalar>?, initialStateGradient: C.State)
    >? {
        guard case .sequence(let sequenceCache) = cache.storage else { return nil }
        let timeSteps = cache.timeSteps, batchSize = cache.batchSize, hiddenSize = cell.hiddenSize
        if let outputsGradient {
            precondition(
                outputsGradient.shape == [timeSteps, batchSize, hiddenSize],
                "Recurrent.backwardSequence: outputs gradient has shape \(outputsGradient.shape), expected \([timeSteps, batchSize, hiddenSize])")
        }
        if let lastOutputGradient {
            precondition(
                lastOutputGradient.shape == [batchSize, hiddenSize],
                "Recurrent.backwardSequence: last output gradient has shape \(lastOutputGradient.shape), expected \([batchSize, hiddenSize])")
        }
        let (stateGradient, inner) = backwardSetup(
            finalStateGradient: finalStateGradient, timeSteps: timeSteps, batchSize: batchSize, context: context,
            computesInputGradient: computesInputGradient && returnsInputGradient)
        guard
            let stage = cell.sequenceKernelBackward(
                outputsGradient, lastStepGradient: lastOutputGradient, finalStateGradient: stateGradient, cache: sequenceCache,
                context: inner, gradientFromAbove: gradientFromAbove)
        else { return nil }
        return SequenceKernelBackward(shape: stage.shape) {
            let prepared = stage.prepare()
            return .init(buffers: prepared.buffers) { gradients, outer in
                var context = inner
                let result = prepared.finish(&gradients, &context)
                if outer.recordsGradientFlow { outer.record(context.gradientFlow ?? Array(repeating: 0, count: timeSteps)) }
                return result
            }
        }
    }
}

extension Recurrent {
    /// `state`, or the zero state when nil, checked against the cell's shapes.
    private func checkedInitialState(_ state: C.State?, batchSize: Int) -> C.State {
        let state = state ?? cell.zeroState(batchSize: batchSize)
        checkStateShape(cell.tensors(of: state), batchSize: batchSize, hiddenSize: cell.hiddenSize, operation: "Recurrent.forward (initial state)")
        return state
    }

    /// The final-state gradient (zero when nil), checked, and the cell's backward context for
    /// `context`'s truncation and profile with this layer's gradient terms.
    private func backwardSetup(
        finalStateGradient: C.State?, timeSteps: Int, batchSize: Int, context: SequenceBackwardContext, computesInputGradient: Bool
    ) -> (stateGradient: C.State, context: RecurrentBackwardContext<Scalar>) {
        let depth = context.truncationDepth ?? timeSteps
        precondition(depth >= 1, "Recurrent.backward: truncationDepth must be at least 1, got \(depth)")
        let stateGradient = finalStateGradient ?? cell.zeroState(batchSize: batchSize)
        checkStateShape(
            cell.tensors(of: stateGradient), batchSize: batchSize, hiddenSize: cell.hiddenSize,
            operation: "Recurrent.backward (final state gradient)")
        if context.recordsGradientFlow {
            precondition(
                cell.hiddenPart(of: stateGradient) != nil,
                "Recurrent.backward: the gradient-flow profile needs a state conforming to RecurrentHiddenState, \(C.State.self) does not")
        }
        let kernelContext = RecurrentBackwardContext<Scalar>(
            truncationDepth: depth, computesInputGradient: computesInputGradient, gradientTerms: gradientTerms,
            recordsGradientFlow: context.recordsGradientFlow)
        return (stateGradient, kernelContext)
    }
}
