import KeelCore
import KeelLayers

/// Receives every recurrent cell of a model together with the input sequence that cell reads,
/// so that the doctor can step the cell itself (`Cell.step(_:state:)`) and backpropagate one
/// step at a time (`Cell.backwardStep(outputGradient:stateGradient:cache:gradients:)`).
///
/// Any `Cell` whose `State` is a `RecurrentHiddenState` is visited, built-in or not: the
/// doctor reads a cell only through those two protocols.
public protocol RecurrentCellVisitor {
    /// The element type of the model.
    associatedtype Scalar: TensorScalar

    /// Called once per cell, in the model's layer order.
    ///
    /// - Parameters:
    ///   - cell: the cell.
    ///   - path: the cell's place in the model, as its parameters' key prefix (e.g.
    ///     `encoder.layer0`; empty for a lone cell).
    ///   - inputs: the sequence the cell reads, `[T, batch, cell.inputSize]` (time-major, for a
    ///     backward direction already reversed in time).
    mutating func visit<C: Cell>(_ cell: C, path: String, inputs: Tensor<Scalar>)
    where C.Scalar == Scalar, C.State: RecurrentHiddenState<Scalar>
}

/// A model or layer that can show its recurrent cells, each with the sequence it reads: what the
/// doctor needs for the cell-level diagnosis (the recurrent Jacobian, gate saturation).
///
/// `Recurrent`, `Bidirectional`, `StackedRecurrent`, `SequenceModel` and `RecurrentNetwork`
/// conform (for every cell whose state is a `RecurrentHiddenState`). A third-party layer
/// conforms by visiting its cells and returning its outputs.
public protocol RecurrentCellHost<Scalar> {
    /// The element type.
    associatedtype Scalar: TensorScalar

    /// Runs `inputs` through the layer in inference mode, visiting each cell with the sequence it
    /// reads, and returns the layer's outputs `[T, batch, outputSize]` (time-major).
    func visitCells<V: RecurrentCellVisitor>(inputs: Tensor<Scalar>, path: String, visitor: inout V) -> Tensor<Scalar>
    where V.Scalar == Scalar
}

extension Recurrent: RecurrentCellHost where C.State: RecurrentHiddenState<C.Scalar> {
    /// Visits the cell with `inputs`; returns the layer's outputs.
    public func visitCells<V: RecurrentCellVisitor>(inputs: Tensor<Scalar>, path: String, visitor: inout V) -> Tensor<Scalar>
    where V.Scalar == Scalar {
        visitor.visit(cell, path: path, inputs: inputs)
        var context = ForwardContext(mode: .inference)
        return forwardSequence(inputs, initialState: nil, context: &context).outputs
    }
}

extension Bidirectional: RecurrentCellHost where C.State: RecurrentHiddenState<C.Scalar> {
    /// Visits the forward cell with `inputs` and the backward cell with `inputs` reversed in time
    /// (under `forward` and `backward`); returns both directions' outputs.
    public func visitCells<V: RecurrentCellVisitor>(inputs: Tensor<Scalar>, path: String, visitor: inout V) -> Tensor<Scalar>
    where V.Scalar == Scalar {
        visitor.visit(forwardLayer.cell, path: joinedPath(path, "forward"), inputs: inputs)
        let steps = inputs.shape[0]
        let reversed = Tensor.concatenate((0..<steps).reversed().map { inputs.slice($0..<($0 + 1)) })
        visitor.visit(backwardLayer.cell, path: joinedPath(path, "backward"), inputs: reversed)
        var context = ForwardContext(mode: .inference)
        return forwardSequence(inputs, initialState: nil, context: &context).outputs
    }
}

extension StackedRecurrent: RecurrentCellHost where L: RecurrentCellHost {
    /// Visits each layer's cells (under `layer0`, `layer1`, …), each layer reading the previous
    /// one's outputs; returns the last layer's outputs.
    public func visitCells<V: RecurrentCellVisitor>(inputs: Tensor<Scalar>, path: String, visitor: inout V) -> Tensor<Scalar>
    where V.Scalar == Scalar {
        var sequence = inputs
        for index in layers.indices {
            sequence = layers[index].visitCells(inputs: sequence, path: joinedPath(path, "layer\(index)"), visitor: &visitor)
        }
        return sequence
    }
}

/// `parent.child`, or `child` at the root.
func joinedPath(_ parent: String, _ child: String) -> String { parent.isEmpty ? child : parent + "." + child }
