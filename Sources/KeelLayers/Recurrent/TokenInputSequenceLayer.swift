import CKeelKernels

// An embedding followed by a recurrent layer computes x·W_ihᵀ for x = E[token]: the same product
// for every occurrence of a token. A layer that knows its input comes from a table can project the
// table once (P = E·W_ihᵀ + b, one row per token) and start each step from the rows its tokens pick,
// and can sum the pre-activation gradients per token before the input-side GEMMs. On the
// character model of peers.md (vocabulary 65, embedding 64, hidden 512) that removes the 64 input
// columns from every step's GEMM, from the weight-gradient GEMM and from ∂L/∂x: ≈ 4% of the step's
// FLOPs. `StackedRecurrent` asks its first layer for this path and gathers rows when it has none.

/// A recurrent layer that can read its input as token indices into an embedding table without
/// materializing the embedded sequence. ``Recurrent`` over ``RNNCell``, ``LSTMCell`` or ``GRUCell``
/// on the fused path conforms (when the vocabulary has at most T·batch rows, where the table
/// projection pays for itself); ``StackedRecurrent`` and `RecurrentNetwork` use it.
package protocol TokenInputSequenceLayer: RecurrentSequenceLayer {
    /// Runs the sequence whose input at step t, batch row b is row `indices[t·batchSize + b]` of
    /// `table` (`[vocabulary, inputSize]`), as ``RecurrentSequenceLayer/forwardSequence(_:initialState:context:)``
    /// on the gathered rows would. Returns nil when the layer has no token path (the caller
    /// gathers the rows instead). Backpropagating the returned cache, with either
    /// `backwardSequence`, returns ∂L/∂table (`[vocabulary, inputSize]`) in place of ∂L/∂input.
    func forwardSequence(
        indices: [Int], table: Tensor<Scalar>, timeSteps: Int, batchSize: Int, initialState: State?
    ) -> (outputs: Tensor<Scalar>, finalState: State, cache: SequenceCache)?
}

extension Recurrent: TokenInputSequenceLayer {
    package func forwardSequence(
        indices: [Int], table: Tensor<Scalar>, timeSteps: Int, batchSize: Int, initialState: C.State?
    ) -> (outputs: Tensor<Scalar>, finalState: C.State, cache: RecurrentCache<C>)? {
        // The projected table (and the per-token gradient sums) cost a row per token of the
        // vocabulary, the savings a row per step and sequence: a vocabulary larger than the
        // window (word models, short windows) would cost more FLOPs and memory than it saves.
        guard usesFusedPath, let gated = cell as? any GatedRecurrentCell<Scalar>, table.shape[0] <= timeSteps * batchSize
        else { return nil }
        precondition(
            table.rank == 2 && table.shape[1] == cell.inputSize,
            "Recurrent.forward: embedding table has shape \(table.shape), expected [vocabulary, \(cell.inputSize)]")
        precondition(
            timeSteps > 0 && batchSize > 0 && indices.count == timeSteps * batchSize,
            "Recurrent.forward: \(indices.count) token indices for \(timeSteps) steps of \(batchSize) sequences")
        let state = initialState ?? cell.zeroState(batchSize: batchSize)
        checkStateShape(state, batchSize: batchSize, hiddenSize: cell.hiddenSize, operation: "Recurrent.forward (initial state)")
        guard
            let result = Self.tokenForward(
                gated, TokenInput(indices: indices, table: table), timeSteps: timeSteps, batchSize: batchSize, initialState: state)
        else { return nil }
        let finalState = result.finalState as! C.State
        let cache = RecurrentCache<C>(
            storage: .fused(result.cache), timeSteps: timeSteps, batchSize: batchSize, finalState: finalState)
        return (result.outputs, finalState, cache)
    }

    /// The native token forward of a built-in cell; nil for any other gated cell.
    private static func tokenForward<F: GatedRecurrentCell>(
        _ cell: F, _ tokens: TokenInput<Scalar>, timeSteps: Int, batchSize: Int, initialState: C.State
    ) -> (outputs: Tensor<Scalar>, finalState: Any, cache: Any)? where F.Scalar == Scalar {
        guard let kind = NativeSequence.kind(of: cell) else { return nil }
        let result = NativeSequence.forward(
            cell, kind: kind, input: nil, tokens: tokens, timeSteps: timeSteps, batchSize: batchSize,
            initialState: initialState as! F.State)
        return (result.outputs, result.finalState, result.cache)
    }
}
