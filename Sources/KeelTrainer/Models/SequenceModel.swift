/// A recurrent layer followed by a `Dense` head, on every step or on the last step: the
/// smallest complete sequence model (sequence regression, the adding problem, per-step
/// classification), and a ``StatefulSequenceModel`` for truncated BPTT.
///
/// **Shapes.** input `[T, batch, inputSize]` (time-major); output `[T, batch, outputSize]`
/// when ``headOnEveryStep`` is `true`, else `[batch, outputSize]` from the last step.
///
/// Parameter keys: the recurrent layer's under `recurrent.` (e.g. `recurrent.weightHH`) and the
/// head's under `head.` (`head.weight`, `head.bias`).
public struct SequenceModel<RecurrentLayer: RecurrentSequenceLayer>: StatefulSequenceModel, BufferContainer, Sendable
where RecurrentLayer.State: Sendable {
    /// The element type.
    public typealias Scalar = RecurrentLayer.Scalar

    /// What the forward pass saves.
    public struct WindowCache {
        let recurrent: RecurrentLayer.SequenceCache
        let head: Dense<Scalar>.Cache
        let timeSteps: Int
        let batchSize: Int
    }

    /// The recurrent layer (or a bidirectional pair).
    public var recurrent: RecurrentLayer
    /// The output layer.
    public var head: Dense<Scalar>
    /// Whether the head maps every step (`true`) or only the last (`false`).
    public var headOnEveryStep: Bool

    /// A model from its parts; `head.inputSize` must equal `recurrent.outputSize`.
    public init(recurrent: RecurrentLayer, head: Dense<Scalar>, headOnEveryStep: Bool) {
        precondition(
            head.inputSize == recurrent.outputSize,
            "SequenceModel: head inputSize \(head.inputSize) differs from the recurrent outputSize \(recurrent.outputSize)")
        self.recurrent = recurrent
        self.head = head
        self.headOnEveryStep = headOnEveryStep
    }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try recurrent.visitParameters { key, tensor in try visitor(ParameterKey("recurrent").appending(key), tensor) }
        try head.visitParameters { key, tensor in try visitor(ParameterKey("head").appending(key), tensor) }
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try recurrent.updateParameters { key, tensor in try visitor(ParameterKey("recurrent").appending(key), &tensor) }
        try head.updateParameters { key, tensor in try visitor(ParameterKey("head").appending(key), &tensor) }
    }

    /// Whether the output has a time axis (``headOnEveryStep``).
    public var outputsSequence: Bool { headOnEveryStep }

    /// The `weightHH` keys of the recurrent layer, under `recurrent.`.
    public var recurrentWeightKeys: [ParameterKey] {
        var keys: [ParameterKey] = []
        visitParameters { key, _ in if key.hasPrefix("recurrent"), key.name == "weightHH" { keys.append(key) } }
        return keys
    }

    /// Runs the sequence from the zero state.
    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: WindowCache) {
        let result = forward(input, initialState: nil, context: &context)
        return (result.output, result.cache)
    }

    /// Runs the sequence from `initialState` (zeros when `nil`).
    public func forward(
        _ input: Tensor<Scalar>, initialState: RecurrentLayer.State?, context: inout ForwardContext
    ) -> (output: Tensor<Scalar>, finalState: RecurrentLayer.State, cache: WindowCache) {
        precondition(input.rank == 3, "SequenceModel.forward: input has shape \(input.shape), expected [time, batch, inputSize]")
        let timeSteps = input.shape[0], batchSize = input.shape[1]
        let (outputs, finalState, recurrentCache) = recurrent.forwardSequence(input, initialState: initialState, context: &context)
        let features = headOnEveryStep ? outputs : outputs[timeSteps - 1]
        let (output, headCache) = head.forward(features, context: &context)
        return (output, finalState, WindowCache(recurrent: recurrentCache, head: headCache, timeSteps: timeSteps, batchSize: batchSize))
    }

    /// Backpropagates the full sequence.
    public func backward(_ outputGradient: Tensor<Scalar>, cache: WindowCache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        var context = SequenceBackwardContext()
        return backward(outputGradient, cache: cache, gradients: &gradients, context: &context)
    }

    /// The recurrent layer's first `weightHH` key: the one layer has one profile.
    public var gradientFlowKeys: [ParameterKey] { Array(recurrentWeightKeys.prefix(1)) }

    /// Backpropagates one window, through at most the context's truncation depth, recording the
    /// recurrent layer's gradient-flow profile when the context asks.
    public func backward(
        _ outputGradient: Tensor<Scalar>, cache: WindowCache, gradients: inout ParameterSet<Scalar>,
        context: inout SequenceBackwardContext
    ) -> Tensor<Scalar> {
        let featuresGradient = gradients.withScope("head") { head.backward(outputGradient, cache: cache.head, gradients: &$0) }
        return gradients.withScope("recurrent") {
            if headOnEveryStep {
                return recurrent.backwardSequence(
                    featuresGradient, finalStateGradient: nil, cache: cache.recurrent, gradients: &$0,
                    context: &context
                ).inputGradient
            }
            // Only the last step has a gradient: it joins the layer's carry (no zeros for the rest).
            return recurrent.backwardSequence(
                lastOutputGradient: featuresGradient, timeSteps: cache.timeSteps, finalStateGradient: nil,
                cache: cache.recurrent, gradients: &$0, context: &context
            ).inputGradient
        }
    }
}
