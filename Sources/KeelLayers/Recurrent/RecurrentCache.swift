/// What ``Recurrent/forward(_:initialState:context:)`` saves for the backward pass through time.
public struct RecurrentCache<C: Cell> {
    enum Storage {
        /// The generic path: one cell cache per step.
        case steps([C.StepCache])
        /// The fused path of a ``GatedRecurrentCell``: a `FusedSequenceCache` of the cell.
        case fused(Any)
    }

    let storage: Storage
    /// T, the number of time steps of the pass.
    public let timeSteps: Int
    /// The number of sequences in the batch.
    public let batchSize: Int
    /// The state after the last step: carry it into the next window for truncated BPTT.
    public let finalState: C.State
}
