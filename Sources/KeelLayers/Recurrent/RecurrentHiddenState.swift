/// A recurrent state with a hidden tensor: what `Recurrent` needs to read ‖∂L/∂hₜ‖ (the
/// gradient-flow profile), to check state shapes, and what the fused path needs to add gradients
/// into the hidden part.
///
/// `Tensor` (the state of ``RNNCell`` and ``GRUCell``) and ``LSTMState`` conform. A third-party
/// cell whose state conforms gets shape checks and the gradient-flow profile for free.
///
/// **Shapes.** Every tensor in ``stateTensors`` is `[batch, hiddenSize]`.
public protocol RecurrentHiddenState<Scalar>: Sendable {
    /// The scalar type of the state's tensors.
    associatedtype Scalar: TensorScalar

    /// The hidden state hₜ, which is also the cell's output.
    var hidden: Tensor<Scalar> { get }

    /// The same state with `hidden` replaced (shape unchanged).
    func replacingHidden(_ hidden: Tensor<Scalar>) -> Self

    /// Every tensor of the state, in a fixed order (hidden first).
    var stateTensors: [Tensor<Scalar>] { get }
}

extension Tensor: RecurrentHiddenState {
    /// The tensor itself: for RNN and GRU the state is the hidden state.
    public var hidden: Tensor<Scalar> { self }

    /// `hidden`, since the whole state is the hidden state.
    public func replacingHidden(_ hidden: Tensor<Scalar>) -> Tensor<Scalar> { hidden }

    /// `[self]`.
    public var stateTensors: [Tensor<Scalar>] { [self] }
}

extension RecurrentHiddenState {
    /// The state with `gradient` added to its hidden part.
    func addingToHidden(_ gradient: Tensor<Scalar>) -> Self { replacingHidden(hidden + gradient) }
}

/// Checks that every tensor of `state` is `[batchSize, hiddenSize]`, naming `operation` and the
/// shapes otherwise. States that do not conform to ``RecurrentHiddenState`` are not checked.
func checkStateShape<State>(
    _ state: State, batchSize: Int, hiddenSize: Int, operation: String
) {
    guard let state = state as? any RecurrentHiddenState else { return }
    for tensor in state.stateTensorShapes {
        precondition(
            tensor == [batchSize, hiddenSize],
            "\(operation): state tensor has shape \(tensor), expected [batch, hiddenSize] = [\(batchSize), \(hiddenSize)]")
    }
}

extension RecurrentHiddenState {
    var stateTensorShapes: [[Int]] { stateTensors.map(\.shape) }
    var hiddenSquaredNorm: Double { hidden.sumOfSquares() }
}
