/// One time step of a recurrent network: the extension point for recurrent architectures.
///
/// `Recurrent<Cell>` runs a cell over a sequence and implements backpropagation through time once
/// for every cell: it calls ``step(_:state:)`` forward for t = 1…T and ``backwardStep(outputGradient:stateGradient:cache:gradients:)``
/// backward for t = T…1, carrying ∂L/∂state between steps.
///
/// **Shapes.** `input` is `[batch, inputSize]`; `output` is `[batch, hiddenSize]`; `State` is a
/// tensor `[batch, hiddenSize]` (RNN, GRU) or a pair of them (LSTM's hidden and cell state).
public protocol Cell<Scalar>: ParameterContainer, Sendable {
    /// The recurrent state carried between steps.
    associatedtype State: Sendable
    /// What ``step(_:state:)`` saves for ``backwardStep(outputGradient:stateGradient:cache:gradients:)``.
    associatedtype StepCache

    /// Features of each input step.
    var inputSize: Int { get }
    /// Features of the output and of each state tensor.
    var hiddenSize: Int { get }

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
}
