/// A recurrent state the cell suite can take apart and rebuild: its tensors, each
/// `[batch, hiddenSize]`, in a fixed order.
///
/// `Tensor` (RNN and GRU states) and `LSTMState` conform; conform your own state to run
/// ``CellConformance`` on your cell.
public protocol CellStateTensors<Scalar> {
    associatedtype Scalar: TensorScalar
    /// The state's tensors, in a fixed order.
    var conformanceTensors: [Tensor<Scalar>] { get }
    /// The state made of `tensors`, in the order of `conformanceTensors`.
    init(conformanceTensors tensors: [Tensor<Scalar>])
}

extension Tensor: CellStateTensors {
    /// The tensor itself: RNN and GRU states are one `[batch, hiddenSize]` tensor.
    public var conformanceTensors: [Tensor<Scalar>] { [self] }

    /// The only tensor of `tensors`.
    ///
    /// - Precondition: `tensors` holds exactly one tensor.
    public init(conformanceTensors tensors: [Tensor<Scalar>]) {
        precondition(tensors.count == 1, "Tensor(conformanceTensors:): expected one tensor, got \(tensors.count)")
        self = tensors[0]
    }
}

extension LSTMState: CellStateTensors {
    /// `[hidden, cell]`, each `[batch, hiddenSize]`.
    public var conformanceTensors: [Tensor<Scalar>] { [hidden, cell] }

    /// The state whose hidden and cell tensors are `tensors[0]` and `tensors[1]`.
    ///
    /// - Precondition: `tensors` holds exactly two tensors.
    public init(conformanceTensors tensors: [Tensor<Scalar>]) {
        precondition(tensors.count == 2, "LSTMState(conformanceTensors:): expected hidden and cell, got \(tensors.count) tensors")
        self.init(hidden: tensors[0], cell: tensors[1])
    }
}
