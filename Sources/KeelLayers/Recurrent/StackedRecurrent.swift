/// Recurrent layers stacked in depth, each reading the previous one's output sequence, with
/// dropout between layers while training, as PyTorch's `num_layers` and `dropout` options.
///
///     y⁽⁰⁾ = x,   y⁽ˡ⁺¹⁾ = layerₗ(dropout(y⁽ˡ⁾))   (no dropout before the first layer)
///
/// Dropout is inverted: kept activations are scaled by 1/(1 − p), and masks are drawn from
/// `context.generator` in training mode only. Parameter keys are each layer's keys under
/// `layer0.`, `layer1.`, … (`layer0.weightIH`; `layer1.forward.weightIH` for bidirectional
/// layers). States are one per layer, in order.
///
/// **Shapes.** input `[T, batch, inputSize]` (`[batch, T, inputSize]` with `batchFirst`);
/// output `[T, batch, outputSize]` of the last layer (batch-first likewise), or its last step
/// `[batch, outputSize]` when ``returnsSequences`` is false.
///
/// ## References
/// - W. Zaremba, I. Sutskever, O. Vinyals, "Recurrent neural network regularization",
///   arXiv:1409.2329 (2014) (dropout between stacked layers).
public struct StackedRecurrent<L: RecurrentSequenceLayer>: Layer, Sendable {
    public typealias Scalar = L.Scalar

    /// What the forward pass saves: each layer's cache and the dropout masks between layers.
    public struct Cache {
        let layers: [L.SequenceCache]
        let masks: [Tensor<Scalar>?]
        /// Token input (``forward(indices:table:timeSteps:batchSize:initialStates:context:)``):
        /// the indices and the table's row count, and whether the first layer read them natively.
        let tokens: (indices: [Int], vocabularySize: Int, native: Bool)?
        let timeSteps: Int
        let batchSize: Int
        /// Each layer's state after the last step.
        public let finalStates: [L.State]
    }

    /// The layers, bottom first.
    public var layers: [L]
    /// The probability p of zeroing an activation between layers while training.
    public var dropoutRate: Double
    /// Whether the output holds every step (`true`) or only the last.
    public var returnsSequences: Bool
    /// Whether inputs and outputs are `[batch, time, features]`.
    public var batchFirst: Bool

    /// A stack of `layers`; layer l + 1 must read what layer l writes.
    /// Whether backward computes ∂L/∂input of the first layer; `false` when the stack reads data
    /// (see ``Recurrent/computesInputGradient``). Later layers always pass gradients down.
    public var computesInputGradient: Bool {
        get { layers.first?.computesInputGradient ?? true }
        set { if !layers.isEmpty { layers[0].computesInputGradient = newValue } }
    }

    public init(_ layers: [L], dropoutRate: Double = 0, returnsSequences: Bool = true, batchFirst: Bool = false) {
        precondition(!layers.isEmpty, "StackedRecurrent: needs at least one layer")
        precondition(dropoutRate >= 0 && dropoutRate < 1, "StackedRecurrent: dropoutRate must be in [0, 1), got \(dropoutRate)")
        for index in layers.indices.dropFirst() {
            precondition(
                layers[index].inputSize == layers[index - 1].outputSize,
                "StackedRecurrent: layer \(index) reads \(layers[index].inputSize) features but layer \(index - 1) writes \(layers[index - 1].outputSize)")
        }
        self.layers = layers
        self.dropoutRate = dropoutRate
        self.returnsSequences = returnsSequences
        self.batchFirst = batchFirst
    }

    /// Features of each input step.
    public var inputSize: Int { layers[0].inputSize }
    /// Features of each output step.
    public var outputSize: Int { layers[layers.count - 1].outputSize }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        for index in layers.indices {
            try layers[index].visitParameters { try visitor(ParameterKey("layer\(index)").appending($0), $1) }
        }
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        for index in layers.indices {
            try layers[index].updateParameters { try visitor(ParameterKey("layer\(index)").appending($0), &$1) }
        }
    }

    /// Every layer's zero state.
    public func zeroStates(batchSize: Int) -> [L.State] { layers.map { $0.zeroState(batchSize: batchSize) } }

    /// Runs the stack from zero states.
    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Cache) {
        let result = forward(input, initialStates: nil, context: &context)
        return (result.output, result.cache)
    }

    /// Runs the stack from `initialStates` (one per layer; zeros when nil) and returns the final states.
    public func forward(
        _ input: Tensor<Scalar>, initialStates: [L.State]?, context: inout ForwardContext
    ) -> (output: Tensor<Scalar>, finalStates: [L.State], cache: Cache) {
        precondition(
            input.rank == 3 && input.shape[2] == inputSize,
            "StackedRecurrent.forward: input has shape \(input.shape), expected \(batchFirst ? "[batch, time" : "[time, batch"), \(inputSize)]")
        if let initialStates {
            precondition(
                initialStates.count == layers.count,
                "StackedRecurrent.forward: \(initialStates.count) initial states for \(layers.count) layers")
        }
        let sequence = batchFirst ? input.swappingAxes(0, 1) : input
        if let result = wavefront(.sequence(sequence), tokens: nil, timeSteps: sequence.shape[0], batchSize: sequence.shape[1], initialStates: initialStates, context: &context) {
            return result
        }
        return run(from: nil, sequence, tokens: nil, initialStates: initialStates, context: &context)
    }

    /// Runs the stack on token input: step t, batch row b of the first layer's input is row
    /// `indices[t·batchSize + b]` of `table` (`[vocabulary, inputSize]`, an embedding's weight).
    /// A first layer with a token path (``RecurrentSequenceLayer/forwardSequence(indices:table:timeSteps:batchSize:initialState:)``) never builds the embedded
    /// sequence; any other gets the gathered rows. Backpropagating the returned cache returns
    /// ∂L/∂table (`[vocabulary, inputSize]`) as its input gradient. The stack must be time-major.
    package func forward(
        indices: [Int], table: Tensor<Scalar>, timeSteps: Int, batchSize: Int, initialStates: [L.State]?,
        context: inout ForwardContext
    ) -> (output: Tensor<Scalar>, finalStates: [L.State], cache: Cache) {
        precondition(!batchFirst, "StackedRecurrent.forward: token input needs a time-major stack")
        precondition(
            table.rank == 2 && table.shape[1] == inputSize && indices.count == timeSteps * batchSize,
            "StackedRecurrent.forward: table \(table.shape) and \(indices.count) indices for \(timeSteps) × \(batchSize) steps and inputSize \(inputSize)")
        if let initialStates {
            precondition(
                initialStates.count == layers.count,
                "StackedRecurrent.forward: \(initialStates.count) initial states for \(layers.count) layers")
        }
        if let result = wavefront(
            .tokens(indices: indices, table: table), tokens: (indices, table.shape[0], true), timeSteps: timeSteps, batchSize: batchSize,
            initialStates: initialStates, context: &context)
        {
            return result
        }
        if let first = layers[0].forwardSequence(
            indices: indices, table: table, timeSteps: timeSteps, batchSize: batchSize, initialState: initialStates?[0])
        {
            return run(
                from: first, first.outputs, tokens: (indices, table.shape[0], true), initialStates: initialStates, context: &context)
        }
        let gathered = Embedding<Scalar>.gather(rows: indices, of: table, shape: [timeSteps, batchSize])
        if let result = wavefront(
            .sequence(gathered), tokens: (indices, table.shape[0], false), timeSteps: timeSteps, batchSize: batchSize,
            initialStates: initialStates, context: &context)
        {
            return result
        }
        return run(from: nil, gathered, tokens: (indices, table.shape[0], false), initialStates: initialStates, context: &context)
    }

    /// The whole stack in one kernel call when every layer runs on a built-in whole-sequence kernel
    /// (``RecurrentSequenceLayer/forwardSequenceStage(_:timeSteps:batchSize:initialState:)``): layer l
    /// at step t needs only layer l − 1 at step t and itself at step t − 1, so the kernel runs the
    /// layers' steps as a wavefront, with one barrier per phase for all layers. Nil when a layer has
    /// no kernel, for a single layer, beyond `Kernels.recurrentStackMaxLayers` layers, or when the
    /// kernels' cost model would not run these layers as a wavefront on this many threads (few
    /// threads: each layer then runs on row chunks without barriers): then the layers run one
    /// after another, with the same bits. Dropout masks are drawn in the same order either way.
    private func wavefront(
        _ input: SequenceKernelInput<Scalar>, tokens: (indices: [Int], vocabularySize: Int, native: Bool)?, timeSteps: Int,
        batchSize: Int, initialStates: [L.State]?, context: inout ForwardContext
    ) -> (output: Tensor<Scalar>, finalStates: [L.State], cache: Cache)? {
        guard layers.count > 1, layers.count <= Kernels.recurrentStackMaxLayers else { return nil }
        var described: [SequenceKernelForward<Scalar, (outputs: Tensor<Scalar>, finalState: L.State, cache: L.SequenceCache)>] = []
        for index in layers.indices {
            guard
                let stage = layers[index].forwardSequenceStage(
                    index == 0 ? input : .layerBelow, timeSteps: timeSteps, batchSize: batchSize, initialState: initialStates?[index])
            else { return nil }
            described.append(stage)
        }
        // Where the kernels would run the layers one after another anyway, the layer-by-layer path
        // does so with the same bits and holds one layer's buffers at a time.
        guard
            Kernels.recurrentStackPrefersWavefront(
                Scalar.self, layers: described.map(\.shape), batch: batchSize, steps: timeSteps, backward: false)
        else { return nil }
        var stages = described.map { $0.prepare() }
        var masks: [Tensor<Scalar>?] = [nil]
        for index in layers.indices.dropFirst() {
            masks.append(
                context.isTraining && dropoutRate > 0
                    ? Self.dropoutMask([timeSteps, batchSize, layers[index].inputSize], rate: dropoutRate, generator: &context.generator)
                    : nil)
            stages[index - 1].buffers.mask = masks[index]?.baseAddress
        }
        let ok = withExtendedLifetime(masks) {
            Kernels.recurrentStackForward(stages.map(\.buffers), steps: timeSteps, batch: batchSize)
        }
        precondition(ok, "StackedRecurrent.forward: out of memory for the recurrent kernel's workspace")
        let results = stages.map { $0.finish() }
        let finals = results.map(\.finalState)
        let cache = Cache(
            layers: results.map(\.cache), masks: masks, tokens: tokens, timeSteps: timeSteps, batchSize: batchSize, finalStates: finals)
        let sequence = results[results.count - 1].outputs
        let output = returnsSequences ? (batchFirst ? sequence.swappingAxes(0, 1) : sequence) : sequence[timeSteps - 1]
        return (output, finals, cache)
    }

    /// The backward pass of ``wavefront(_:tokens:timeSteps:batchSize:initialStates:context:)``:
    /// every layer's kernel backward in one call, the mirror-image wavefront; the layer below's
    /// output gradient, (dZ W_ih) ⊙ mask, is computed step by step inside it. Nil when a layer
    /// cannot (a cache that is not a kernel's): then the layers run one after another.
    private func wavefrontBackward(
        _ topGradient: Tensor<Scalar>?, lastOutputGradient: Tensor<Scalar>?, finalStateGradients: [L.State]?, cache: Cache,
        gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
    ) -> (inputGradient: Tensor<Scalar>?, initialStateGradients: [L.State])? {
        guard layers.count > 1, layers.count <= Kernels.recurrentStackMaxLayers, cache.layers.count == layers.count else { return nil }
        let top = layers.count - 1
        var described: [SequenceKernelBackward<Scalar, SequenceBackwardContext, (inputGradient: Tensor<Scalar>?, initialStateGradient: L.State)>] = []
        for index in layers.indices {
            guard
                let stage = layers[index].backwardSequenceStage(
                    index == top ? topGradient : nil, lastOutputGradient: index == top ? lastOutputGradient : nil,
                    finalStateGradient: finalStateGradients?[index], cache: cache.layers[index], context: context,
                    gradientFromAbove: index != top, returnsInputGradient: index == 0)
            else { return nil }
            described.append(stage)
        }
        let first = max(0, cache.timeSteps - (context.truncationDepth ?? cache.timeSteps))
        guard
            Kernels.recurrentStackPrefersWavefront(
                Scalar.self, layers: described.map(\.shape), batch: cache.batchSize, steps: cache.timeSteps, first: first,
                backward: true, profile: context.recordsGradientFlow)
        else { return nil }
        var stages = described.map { $0.prepare() }
        for index in 0..<top { stages[index].buffers.mask = cache.masks[index + 1]?.baseAddress }
        let ok = withExtendedLifetime(cache) {
            Kernels.recurrentStackBackward(stages.map(\.buffers), steps: cache.timeSteps, first: first, batch: cache.batchSize)
        }
        precondition(ok, "StackedRecurrent.backward: out of memory for the recurrent kernel's workspace")
        var inputGradient: Tensor<Scalar>? = nil
        var initialStateGradients: [L.State] = []
        for index in layers.indices.reversed() { // top first, as the layer-by-layer pass records profiles
            let (input, state) = gradients.withScope(ParameterKey("layer\(index)")) { stages[index].finish(&$0, &context) }
            if index == 0 { inputGradient = input }
            initialStateGradients.append(state)
        }
        return (inputGradient, initialStateGradients)
    }

    /// The layers from the first (or, when `first` holds its result, the second) on, over the
    /// time-major `sequence`: the first layer's input, or its outputs when `first` is given.
    private func run(
        from first: (outputs: Tensor<Scalar>, finalState: L.State, cache: L.SequenceCache)?, _ input: Tensor<Scalar>,
        tokens: (indices: [Int], vocabularySize: Int, native: Bool)?, initialStates: [L.State]?, context: inout ForwardContext
    ) -> (output: Tensor<Scalar>, finalStates: [L.State], cache: Cache) {
        var sequence = input
        var caches: [L.SequenceCache] = [], masks: [Tensor<Scalar>?] = [], finals: [L.State] = []
        if let first {
            masks.append(nil)
            caches.append(first.cache)
            finals.append(first.finalState)
        }
        for index in layers.indices.dropFirst(first == nil ? 0 : 1) {
            var mask: Tensor<Scalar>? = nil
            if index > 0 && context.isTraining && dropoutRate > 0 {
                mask = Self.dropoutMask(sequence.shape, rate: dropoutRate, generator: &context.generator)
                sequence *= mask!
            }
            let (outputs, final, cache) = layers[index].forwardSequence(sequence, initialState: initialStates?[index], context: &context)
            masks.append(mask)
            caches.append(cache)
            finals.append(final)
            sequence = outputs
        }
        let cache = Cache(
            layers: caches, masks: masks, tokens: tokens, timeSteps: sequence.shape[0], batchSize: sequence.shape[1], finalStates: finals)
        let output = returnsSequences ? (batchFirst ? sequence.swappingAxes(0, 1) : sequence) : sequence[sequence.shape[0] - 1]
        return (output, finals, cache)
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Cache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        var context = SequenceBackwardContext()
        return backward(outputGradient, finalStateGradients: nil, cache: cache, gradients: &gradients, context: &context).inputGradient
    }

    /// Backpropagates through the stack and through time.
    ///
    /// - Parameters:
    ///   - outputGradient: ∂L/∂output, the shape of the forward output.
    ///   - finalStateGradients: ∂L/∂(final state) per layer (nil: zero).
    ///   - cache: what the forward pass saved.
    ///   - gradients: receives ∂L/∂θ of every layer.
    ///   - context: k2, the number of last steps backpropagated in every layer (nil: all); when it
    ///     records gradient flow, receives one profile per layer, the first layer first.
    /// - Returns: ∂L/∂input and ∂L/∂(initial state) per layer.
    public func backward(
        _ outputGradient: Tensor<Scalar>, finalStateGradients: [L.State]?, cache: Cache,
        gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradients: [L.State]) {
        if !returnsSequences {
            return backward(
                lastOutputGradient: outputGradient, finalStateGradients: finalStateGradients, cache: cache,
                gradients: &gradients, context: &context)
        }
        return backpropagate(
            batchFirst ? outputGradient.swappingAxes(0, 1) : outputGradient, lastOutputGradient: nil,
            finalStateGradients: finalStateGradients, cache: cache, gradients: &gradients,
            context: &context)
    }

    /// The backward pass when only the last step's output has a gradient, `[batch, outputSize]`
    /// (a head on the last step): the top layer takes it without a `[T, batch, features]` of zeros.
    /// Arguments and results as ``backward(_:finalStateGradients:cache:gradients:context:)``.
    public func backward(
        lastOutputGradient: Tensor<Scalar>, finalStateGradients: [L.State]?, cache: Cache,
        gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradients: [L.State]) {
        backpropagate(
            nil, lastOutputGradient: lastOutputGradient, finalStateGradients: finalStateGradients, cache: cache,
            gradients: &gradients, context: &context)
    }

    /// BPTT through the stack from the top layer's sequence gradient or, when nil, its last-step gradient.
    private func backpropagate(
        _ topGradient: Tensor<Scalar>?, lastOutputGradient: Tensor<Scalar>?, finalStateGradients: [L.State]?, cache: Cache,
        gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradients: [L.State]) {
        var sequenceGradient: Tensor<Scalar>? = topGradient
        if let finalStateGradients {
            precondition(
                finalStateGradients.count == layers.count,
                "StackedRecurrent.backward: \(finalStateGradients.count) final-state gradients for \(layers.count) layers")
        }
        var initialStateGradients: [L.State] = []
        let firstProfile = context.gradientFlow.count
        if let result = wavefrontBackward(
            topGradient, lastOutputGradient: lastOutputGradient, finalStateGradients: finalStateGradients, cache: cache,
            gradients: &gradients, context: &context)
        {
            // nil: the first layer computes no input gradient (token input always gets ∂L/∂table)
            sequenceGradient = result.inputGradient ?? .zeros([cache.timeSteps, cache.batchSize, inputSize])
            initialStateGradients = result.initialStateGradients
        } else {
            for index in layers.indices.reversed() {
                let (inputGradient, stateGradient) = gradients.withScope(ParameterKey("layer\(index)")) {
                    if let sequenceGradient {
                        return layers[index].backwardSequence(
                            sequenceGradient, finalStateGradient: finalStateGradients?[index], cache: cache.layers[index],
                            gradients: &$0, context: &context)
                    }
                    return layers[index].backwardSequence(
                        lastOutputGradient: lastOutputGradient!, timeSteps: cache.timeSteps,
                        finalStateGradient: finalStateGradients?[index], cache: cache.layers[index], gradients: &$0,
                        context: &context)
                }
                sequenceGradient = cache.masks[index].map { inputGradient * $0 } ?? inputGradient
                initialStateGradients.append(stateGradient)
            }
        }
        // The layers recorded top first; the context lists them from the input side.
        context.gradientFlow[firstProfile...].reverse()
        if let tokens = cache.tokens {
            // ∂L/∂table: the first layer summed it per token already, or the gathered rows' gradients are added here.
            return (
                tokens.native
                    ? sequenceGradient!
                    : Embedding<Scalar>.scatterAdd(sequenceGradient!, rows: tokens.indices, vocabularySize: tokens.vocabularySize),
                initialStateGradients.reversed()
            )
        }
        let inputGradient = sequenceGradient!
        return (batchFirst ? inputGradient.swappingAxes(0, 1) : inputGradient, initialStateGradients.reversed())
    }

    /// Inverted-dropout mask: 0 with probability `rate`, else 1/(1 − rate).
    private static func dropoutMask(_ shape: [Int], rate: Double, generator: inout Xoshiro256StarStar) -> Tensor<Scalar> {
        let kept = Scalar(1 / (1 - rate))
        return Tensor(shape: shape) { buffer in
            for index in buffer.indices { buffer[index] = generator.nextUnitDouble() < rate ? 0 : kept }
        }
    }
}

extension StackedRecurrent {
    /// A stack of ``Recurrent`` layers over `cells` (bottom first), as PyTorch's `num_layers`.
    public init<C: Cell>(
        cells: [C], dropoutRate: Double = 0, returnsSequences: Bool = true, batchFirst: Bool = false, usesFusedPath: Bool = true
    ) where L == Recurrent<C> {
        self.init(
            cells.map { Recurrent(cell: $0, usesFusedPath: usesFusedPath) }, dropoutRate: dropoutRate,
            returnsSequences: returnsSequences, batchFirst: batchFirst)
    }
}
