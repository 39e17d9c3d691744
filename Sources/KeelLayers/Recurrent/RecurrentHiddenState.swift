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

    /// The state made of `tensors`, in the order of ``stateTensors`` (what the cell conformance
    /// suite perturbs and rebuilds).
    init(stateTensors tensors: [Tensor<Scalar>])

    /// The memory cell cₜ of an LSTM-style state (nil, the default: the state has none). The
    /// whole-sequence LSTM kernel reads and writes it.
    var memoryCell: Tensor<Scalar>? { get }

    /// The state made of `hidden` and, for a state with one, `memoryCell`: how a whole-sequence
    /// kernel returns states. Returns nil (the default) when the state cannot be built from these
    /// tensors; a cell declaring a `Cell.sequenceKernel` must have a state that can.
    static func assembled(hidden: Tensor<Scalar>, memoryCell: Tensor<Scalar>?) -> Self?
}

extension RecurrentHiddenState {
    /// None.
    public var memoryCell: Tensor<Scalar>? { nil }

    /// None: this state cannot be built from kernel outputs.
    public static func assembled(hidden: Tensor<Scalar>, memoryCell: Tensor<Scalar>?) -> Self? { nil }
}

extension Tensor: RecurrentHiddenState {
    /// The tensor itself: for RNN and GRU the state is the hidden state.
    public var hidden: Tensor<Scalar> { self }

    /// `hidden`, since the whole state is the hidden state.
    public func replacingHidden(_ hidden: Tensor<Scalar>) -> Tensor<Scalar> { hidden }

    /// `[self]`.
    public var stateTensors: [Tensor<Scalar>] { [self] }

    /// The only tensor of `tensors`.
    ///
    /// - Precondition: `tensors` holds exactly one tensor.
    public init(stateTensors tensors: [Tensor<Scalar>]) {
        precondition(tensors.count == 1, "Tensor(stateTensors:): expected one tensor, got \(tensors.count)")
        self = tensors[0]
    }

    /// `hidden` when there is no memory cell; nil otherwise.
    public static func assembled(hidden: Tensor<Scalar>, memoryCell: Tensor<Scalar>?) -> Tensor<Scalar>? {
        memoryCell == nil ? hidden : nil
    }
}

extension RecurrentHiddenState {
    /// The state with `gradient` added to its hidden part.
    func addingToHidden(_ gradient: Tensor<Scalar>) -> Self { replacingHidden(hidden + gradient) }
}

/// Checks that every tensor of a state is `[batchSize, hiddenSize]`, naming `operation` and the
/// shapes otherwise (no tensors: nothing to check).
func checkStateShape<Scalar>(
    _ tensors: [Tensor<Scalar>], batchSize: Int, hiddenSize: Int, operation: String
) {
    for tensor in tensors {
        precondition(
            tensor.shape == [batchSize, hiddenSize],
            "\(operation): state tensor has shape \(tensor.shape), expected [batch, hiddenSize] = [\(batchSize), \(hiddenSize)]")
    }
}

extension Cell where State: RecurrentHiddenState<Scalar> {
    /// The state's ``RecurrentHiddenState/hidden``.
    public func hiddenPart(of state: State) -> Tensor<Scalar>? { state.hidden }

    /// The state's ``RecurrentHiddenState/stateTensors``.
    public func tensors(of state: State) -> [Tensor<Scalar>] { state.stateTensors }
}

extension RecurrentHiddenState {
    var hiddenSquaredNorm: Double { hidden.sumOfSquares() }
}
