/// A layer that maps a time-major sequence to a time-major sequence with a carried state:
/// ``Recurrent`` and ``Bidirectional``, and what ``StackedRecurrent`` stacks.
///
/// **Shapes.** input `[T, batch, inputSize]`; outputs `[T, batch, outputSize]`.
public protocol RecurrentSequenceLayer<Scalar>: ParameterContainer, Sendable {
    /// The state carried across steps and windows.
    associatedtype State
    /// What ``forwardSequence(_:initialState:context:)`` saves for the backward pass.
    associatedtype SequenceCache

    /// Features of each input step.
    var inputSize: Int { get }
    /// Features of each output step.
    var outputSize: Int { get }
    /// Whether backward computes ∂L/∂input; `false` returns zeros and may skip work (see
    /// ``Recurrent/computesInputGradient``).
    var computesInputGradient: Bool { get set }

    /// The all-zero state for `batchSize` sequences.
    func zeroState(batchSize: Int) -> State

    /// Runs the sequence from `initialState` (zeros when nil); returns every output and the final state.
    func forwardSequence(
        _ sequence: Tensor<Scalar>, initialState: State?, context: inout ForwardContext
    ) -> (outputs: Tensor<Scalar>, finalState: State, cache: SequenceCache)

    /// Runs the sequence whose input at step t, batch row b is row `indices[t·batchSize + b]` of
    /// `table` (`[vocabulary, inputSize]`, an embedding) without materializing the embedded
    /// sequence, as ``forwardSequence(_:initialState:context:)`` on the gathered rows would; nil
    /// (the default) when the layer has no token path and the caller must gather. Backpropagating
    /// the returned cache returns ∂L/∂table (`[vocabulary, inputSize]`) in place of ∂L/∂input.
    ///
    /// An embedding followed by a recurrent layer computes x·W_ihᵀ for x = E[token], the same
    /// product for every occurrence of a token: a layer can project the table once
    /// (P = E·W_ihᵀ + b) and start each step from the rows its tokens pick. On the character model
    /// of peers.md (vocabulary 65, embedding 64, hidden 512) that removes ≈ 4% of the step's FLOPs.
    func forwardSequence(
        indices: [Int], table: Tensor<Scalar>, timeSteps: Int, batchSize: Int, initialState: State?
    ) -> (outputs: Tensor<Scalar>, finalState: State, cache: SequenceCache)?

    /// Backpropagates through time: adds ∂L/∂θ into `gradients` (this layer's keys) and returns
    /// ∂L/∂input and ∂L/∂(initial state). `outputsGradient` nil means zero; `truncationDepth` k2
    /// limits the steps backpropagated (nil: all); a non-nil `profile` receives ‖∂L/∂hₜ‖₂ per step.
    func backwardSequence(
        _ outputsGradient: Tensor<Scalar>?, finalStateGradient: State?, cache: SequenceCache,
        gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: State)

    /// The layer's whole-sequence kernel forward, described but not run, so that ``StackedRecurrent``
    /// can run all its layers in one kernel call (a wavefront: layer l at step t needs only layer
    /// l − 1 at step t); nil (the default) when the layer does not run on one built-in kernel.
    /// Finishing the run gives what ``forwardSequence(_:initialState:context:)`` (or the token path)
    /// gives for the same input.
    func forwardSequenceStage(
        _ input: SequenceKernelInput<Scalar>, timeSteps: Int, batchSize: Int, initialState: State?
    ) -> SequenceKernelForward<Scalar, (outputs: Tensor<Scalar>, finalState: State, cache: SequenceCache)>?

    /// The backward counterpart of ``forwardSequenceStage(_:timeSteps:batchSize:initialState:)``:
    /// arguments as ``backwardSequence(_:finalStateGradient:cache:gradients:context:)`` plus the last
    /// step's gradient alone (`lastOutputGradient`), or, with `gradientFromAbove`, ∂L/∂outputs
    /// written by the kernel from the layer above. With `returnsInputGradient` false the finished
    /// run skips ∂L/∂input (the layer below gets it from the kernel) and returns nil for it. Nil (the
    /// default) when the cache is not a kernel's.
    func backwardSequenceStage(
        _ outputsGradient: Tensor<Scalar>?, lastOutputGradient: Tensor<Scalar>?, finalStateGradient: State?,
        cache: SequenceCache, context: SequenceBackwardContext, gradientFromAbove: Bool, returnsInputGradient: Bool
    ) -> SequenceKernelBackward<
        Scalar, SequenceBackwardContext, (inputGradient: Tensor<Scalar>?, initialStateGradient: State)
    >?

    /// The backward pass when only the last of `timeSteps` outputs has a gradient (a head on the
    /// last step), `lastOutputGradient` `[batch, outputSize]`. The default pads it with zeros and
    /// calls ``backwardSequence(_:finalStateGradient:cache:gradients:context:)``;
    /// ``Recurrent`` feeds it straight into the carried gradient, with no `[T, batch, hidden]` of zeros.
    func backwardSequence(
        lastOutputGradient: Tensor<Scalar>, timeSteps: Int, finalStateGradient: State?, cache: SequenceCache,
        gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: State)
}

extension RecurrentSequenceLayer {
    /// No whole-sequence kernel: a stack runs this layer on its own.
    public func forwardSequenceStage(
        _ input: SequenceKernelInput<Scalar>, timeSteps: Int, batchSize: Int, initialState: State?
    ) -> SequenceKernelForward<Scalar, (outputs: Tensor<Scalar>, finalState: State, cache: SequenceCache)>? { nil }

    /// No whole-sequence kernel: a stack runs this layer on its own.
    public func backwardSequenceStage(
        _ outputsGradient: Tensor<Scalar>?, lastOutputGradient: Tensor<Scalar>?, finalStateGradient: State?,
        cache: SequenceCache, context: SequenceBackwardContext, gradientFromAbove: Bool, returnsInputGradient: Bool
    ) -> SequenceKernelBackward<
        Scalar, SequenceBackwardContext, (inputGradient: Tensor<Scalar>?, initialStateGradient: State)
    >? { nil }

    /// No token path: the caller gathers the embedded rows.
    public func forwardSequence(
        indices: [Int], table: Tensor<Scalar>, timeSteps: Int, batchSize: Int, initialState: State?
    ) -> (outputs: Tensor<Scalar>, finalState: State, cache: SequenceCache)? { nil }

    public func backwardSequence(
        lastOutputGradient: Tensor<Scalar>, timeSteps: Int, finalStateGradient: State?, cache: SequenceCache,
        gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: State) {
        let last = lastOutputGradient.reshaped(to: [1] + lastOutputGradient.shape)
        let padded = timeSteps == 1 ? last : .concatenate([.zeros([timeSteps - 1] + lastOutputGradient.shape), last])
        return backwardSequence(
            padded, finalStateGradient: finalStateGradient, cache: cache, gradients: &gradients, context: &context)
    }
}

extension Tensor {
    /// The sequence with its first (time) axis reversed.
    func reversingTime() -> Tensor {
        let steps = shape[0]
        return .concatenate((0..<steps).reversed().map { slice($0..<($0 + 1)) })
    }
}

/// ``Recurrent`` over ``LSTMCell``, as PyTorch's `nn.LSTM` with one layer.
public typealias LSTM<Scalar: TensorScalar> = Recurrent<LSTMCell<Scalar>>
/// ``Recurrent`` over ``GRUCell``, as PyTorch's `nn.GRU` with one layer.
public typealias GRU<Scalar: TensorScalar> = Recurrent<GRUCell<Scalar>>
/// ``Recurrent`` over ``RNNCell``, as PyTorch's `nn.RNN` with one layer.
public typealias SimpleRNN<Scalar: TensorScalar> = Recurrent<RNNCell<Scalar>>
