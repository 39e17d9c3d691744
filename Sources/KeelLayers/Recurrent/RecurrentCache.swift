/// What ``Recurrent/forward(_:initialState:context:)`` saves for the backward pass through time.
public struct RecurrentCache<C: Cell>: Sendable {
    enum Storage: Sendable {
        /// The step-by-step engine: one cell cache per step.
        case steps([C.StepCache])
        /// The cell's whole-sequence engine (`Cell.forwardSequence(_:initialState:)`).
        case sequence(C.SequenceCache)
    }

    let storage: Storage
    /// T, the number of time steps of the pass.
    public let timeSteps: Int
    /// The number of sequences in the batch.
    public let batchSize: Int
    /// The state after the last step: carry it into the next window for truncated BPTT.
    public let finalState: C.State
}
