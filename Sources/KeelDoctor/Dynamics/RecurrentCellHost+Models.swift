import KeelCore
import KeelLayers
import KeelTrainer

extension SequenceModel: RecurrentCellHost where RecurrentLayer: RecurrentCellHost {
    /// Visits the recurrent layer's cells under `recurrent`; returns the recurrent outputs.
    public func visitCells<V: RecurrentCellVisitor>(inputs: Tensor<Scalar>, path: String, visitor: inout V) -> Tensor<Scalar>
    where V.Scalar == Scalar {
        recurrent.visitCells(inputs: inputs, path: joinedPath(path, "recurrent"), visitor: &visitor)
    }
}

extension RecurrentNetwork: RecurrentCellHost where RecurrentLayer: RecurrentCellHost {
    /// Embeds index inputs when the network has an embedding, then visits the encoder's cells
    /// under `encoder`; returns the encoder outputs.
    public func visitCells<V: RecurrentCellVisitor>(inputs: Tensor<Scalar>, path: String, visitor: inout V) -> Tensor<Scalar>
    where V.Scalar == Scalar {
        var sequence = inputs
        if let embedding {
            var context = ForwardContext(mode: .inference)
            sequence = embedding.forward(inputs, context: &context).output
        }
        return encoder.visitCells(inputs: sequence, path: joinedPath(path, "encoder"), visitor: &visitor)
    }
}
