/// The state of an ``LSTMCell``: the hidden state h (also the cell's output) and the cell state c.
///
/// **Shapes.** `hidden` and `cell` are both `[batch, hiddenSize]`.
public struct LSTMState<Scalar: TensorScalar>: RecurrentHiddenState, Sendable {
    /// The hidden state hₜ = oₜ ∘ tanh(cₜ).
    public var hidden: Tensor<Scalar>
    /// The cell state cₜ = fₜ ∘ cₜ₋₁ + iₜ ∘ gₜ.
    public var cell: Tensor<Scalar>

    /// A state from its two tensors.
    ///
    /// - Precondition: `hidden` and `cell` have the same shape.
    public init(hidden: Tensor<Scalar>, cell: Tensor<Scalar>) {
        precondition(hidden.shape == cell.shape, "LSTMState: hidden \(hidden.shape) and cell \(cell.shape) differ in shape")
        self.hidden = hidden
        self.cell = cell
    }

    /// The same state with another hidden tensor.
    public func replacingHidden(_ hidden: Tensor<Scalar>) -> LSTMState {
        LSTMState(hidden: hidden, cell: cell)
    }

    /// `[hidden, cell]`.
    public var stateTensors: [Tensor<Scalar>] { [hidden, cell] }

    /// The state whose hidden and cell tensors are `tensors[0]` and `tensors[1]`.
    ///
    /// - Precondition: `tensors` holds exactly two tensors.
    public init(stateTensors tensors: [Tensor<Scalar>]) {
        precondition(tensors.count == 2, "LSTMState(stateTensors:): expected hidden and cell, got \(tensors.count) tensors")
        self.init(hidden: tensors[0], cell: tensors[1])
    }

    /// ``cell``.
    public var memoryCell: Tensor<Scalar>? { cell }

    /// The state of `hidden` and `memoryCell`; nil without a memory cell.
    public static func assembled(hidden: Tensor<Scalar>, memoryCell: Tensor<Scalar>?) -> LSTMState? {
        memoryCell.map { LSTMState(hidden: hidden, cell: $0) }
    }
}
