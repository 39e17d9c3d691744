/// One time step of a recurrent network: the extension point for recurrent architectures.
///
/// `Recurrent<Cell>` runs a cell over a sequence and implements backpropagation through time once
/// for every cell: it calls ``step(_:state:)`` forward for t = 1…T and ``backwardStep(outputGradient:stateGradient:cache:gradients:)``
/// backward for t = T…1, carrying ∂L/∂state between steps.
///
/// A cell may also run a whole sequence at once (``forwardSequence(_:initialState:)`` and
/// ``backwardSequence(_:lastStepGradient:finalStateGradient:cache:gradients:context:)``): the
/// engine `Recurrent` uses then is chosen by these requirements, that is by the cell's type, never
/// by a run-time type check. A plain cell inherits defaults that return nil (run step by step);
/// `GatedRecurrentCell` supplies a fused engine, and a gated cell whose ``sequenceKernel`` names
/// a C kernel runs the whole time loop in one kernel call.
///
/// **Shapes.** `input` is `[batch, inputSize]`; `output` is `[batch, hiddenSize]`; `State` is a
/// tensor `[batch, hiddenSize]` (RNN, GRU) or a pair of them (LSTM's hidden and cell state);
/// sequences are time-major, `[T, batch, features]`.
public protocol Cell<Scalar>: ParameterContainer, Sendable {
    /// The recurrent state carried between steps.
    associatedtype State: Sendable
    /// What ``step(_:state:)`` saves for ``backwardStep(outputGradient:stateGradient:cache:gradients:)``.
    associatedtype StepCache: Sendable
    /// What the cell's whole-sequence engine saves for its backward pass (`Never` for a cell
    /// without one).
    associatedtype SequenceCache: Sendable = Never

    /// Features of each input step.
    var inputSize: Int { get }
    /// Features of the output and of each state tensor.
    var hiddenSize: Int { get }

    /// The whole-sequence C kernel whose math this cell's step is, or nil (the default): the
    /// kernel descriptor through which a cell opts into Keel's fused recurrent kernels.
    var sequenceKernel: Kernels.RecurrentCellKind? { get }

    /// The all-zero state for `batchSize` sequences.
    func zeroState(batchSize: Int) -> State

    /// Advances one time step.
    func step(_ input: Tensor<Scalar>, state: State) -> (output: Tensor<Scalar>, state: State, cache: StepCache)

    /// Backpropagates one step: given ∂L/∂output of this step and ∂L/∂state flowing back from the
    /// next step, adds ∂L/∂θ into `gradients` (this cell's keys) and returns ∂L/∂input and ∂L/∂state
    /// of the previous state.
    func backwardStep(
        outputGradient: Tensor<Scalar>, stateGradient: State, cache: StepCache, gradients: inout ParameterSet<Scalar>
    ) -> (inputGradient: Tensor<Scalar>, stateGradient: State)

    /// Runs the whole time-major sequence `[T, batch, inputSize]` from `initialState` in one
    /// engine, or returns nil to have `Recurrent` run ``step(_:state:)`` T times (the default).
    /// The outputs are `[T, batch, hiddenSize]`; results must equal the step-by-step ones up to
    /// rounding.
    func forwardSequence(
        _ sequence: Tensor<Scalar>, initialState: State
    ) -> (outputs: Tensor<Scalar>, finalState: State, cache: SequenceCache)?

    /// Runs the sequence whose input at step t, batch row b is row `indices[t·batchSize + b]` of
    /// `table` (`[vocabulary, inputSize]`, an embedding) without gathering the rows, or returns nil
    /// (the default; the caller gathers). Backpropagating the returned cache with
    /// ``backwardSequence(_:lastStepGradient:finalStateGradient:cache:gradients:context:)`` returns
    /// ∂L/∂table, `[vocabulary, inputSize]`, in place of ∂L/∂input.
    func forwardSequence(
        indices: [Int], table: Tensor<Scalar>, timeSteps: Int, batchSize: Int, initialState: State
    ) -> (outputs: Tensor<Scalar>, finalState: State, cache: SequenceCache)?

    /// The backward pass of the whole-sequence engine through the last `context.truncationDepth`
    /// steps (all when nil). ∂L/∂yₜ comes from `outputsGradient` (`[T, batch, hiddenSize]`), or,
    /// for the last step only, from `lastStepGradient` (`[batch, hiddenSize]`), or not at all.
    /// Adds ∂L/∂θ (and the context's gradient terms) into `gradients`; returns ∂L/∂input
    /// (`[T, batch, inputSize]`, zeros unless `context.computesInputGradient`) and ∂L/∂s₀ (zero
    /// when truncated). Records the gradient-flow profile when the context asks for it.
    func backwardSequence(
        _ outputsGradient: Tensor<Scalar>?, lastStepGradient: Tensor<Scalar>?, finalStateGradient: State,
        cache: SequenceCache, gradients: inout ParameterSet<Scalar>, context: inout RecurrentBackwardContext<Scalar>
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: State)

    /// The whole-sequence C kernel's forward, described but not run (see ``SequenceKernelForward``),
    /// or nil (the default) for a cell without ``sequenceKernel``. Running it and finishing gives
    /// what ``forwardSequence(_:initialState:)`` (or the token path) returns for the same input;
    /// `.layerBelow` input is written by the kernel from the layer below in the same call.
    func sequenceKernelForward(
        _ input: SequenceKernelInput<Scalar>, timeSteps: Int, batchSize: Int, initialState: State
    ) -> SequenceKernelForward<Scalar, (outputs: Tensor<Scalar>, finalState: State, cache: SequenceCache)>?

    /// The whole-sequence C kernel's backward over `cache`, described but not run, or nil (the
    /// default). Arguments as ``backwardSequence(_:lastStepGradient:finalStateGradient:cache:gradients:context:)``;
    /// with `gradientFromAbove`, ∂L/∂yₜ is written by the kernel from the layer above in the same
    /// call (`outputsGradient` must be nil). Finishing returns ∂L/∂input only when the context
    /// asks for it (or for token input: ∂L/∂table), and ∂L/∂s₀.
    func sequenceKernelBackward(
        _ outputsGradient: Tensor<Scalar>?, lastStepGradient: Tensor<Scalar>?, finalStateGradient: State,
        cache: SequenceCache, context: RecurrentBackwardContext<Scalar>, gradientFromAbove: Bool
    ) -> SequenceKernelBackward<
        Scalar, RecurrentBackwardContext<Scalar>, (inputGradient: Tensor<Scalar>?, initialStateGradient: State)
    >?

    /// The hidden part hₜ of `state` (the cell's output), for the gradient-flow profile ‖∂L/∂hₜ‖;
    /// nil when the cell does not expose it (the default). A cell whose state conforms to
    /// `RecurrentHiddenState` (KeelLayers) gets it.
    func hiddenPart(of state: State) -> Tensor<Scalar>?

    /// Every tensor of `state` (each `[batch, hiddenSize]`), for shape checks; empty, the
    /// default, leaves the state unchecked. A cell whose state conforms to `RecurrentHiddenState`
    /// gets it.
    func tensors(of state: State) -> [Tensor<Scalar>]
}

extension Cell {
    /// None: the gradient-flow profile is not available for this cell.
    public func hiddenPart(of state: State) -> Tensor<Scalar>? { nil }

    /// None: the state is not shape-checked.
    public func tensors(of state: State) -> [Tensor<Scalar>] { [] }

    /// No whole-sequence kernel: `Recurrent` chooses another engine.
    public var sequenceKernel: Kernels.RecurrentCellKind? { nil }

    /// No whole-sequence engine: `Recurrent` runs the cell step by step.
    public func forwardSequence(
        _ sequence: Tensor<Scalar>, initialState: State
    ) -> (outputs: Tensor<Scalar>, finalState: State, cache: SequenceCache)? { nil }

    /// No whole-sequence kernel: nothing to describe.
    public func sequenceKernelForward(
        _ input: SequenceKernelInput<Scalar>, timeSteps: Int, batchSize: Int, initialState: State
    ) -> SequenceKernelForward<Scalar, (outputs: Tensor<Scalar>, finalState: State, cache: SequenceCache)>? { nil }

    /// No whole-sequence kernel: nothing to describe.
    public func sequenceKernelBackward(
        _ outputsGradient: Tensor<Scalar>?, lastStepGradient: Tensor<Scalar>?, finalStateGradient: State,
        cache: SequenceCache, context: RecurrentBackwardContext<Scalar>, gradientFromAbove: Bool
    ) -> SequenceKernelBackward<
        Scalar, RecurrentBackwardContext<Scalar>, (inputGradient: Tensor<Scalar>?, initialStateGradient: State)
    >? { nil }

    /// No token path: the caller gathers the embedded rows.
    public func forwardSequence(
        indices: [Int], table: Tensor<Scalar>, timeSteps: Int, batchSize: Int, initialState: State
    ) -> (outputs: Tensor<Scalar>, finalState: State, cache: SequenceCache)? { nil }
}

extension Cell where SequenceCache == Never {
    /// Unreachable: a cell without a sequence engine never produces a `SequenceCache`.
    public func backwardSequence(
        _ outputsGradient: Tensor<Scalar>?, lastStepGradient: Tensor<Scalar>?, finalStateGradient: State,
        cache: Never, gradients: inout ParameterSet<Scalar>, context: inout RecurrentBackwardContext<Scalar>
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: State) {}
}
