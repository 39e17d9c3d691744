/// Truncated backpropagation through time, BPTT(k1, k2) (Williams & Peng 1990), for models that
/// conform to ``StatefulSequenceModel``.
///
/// A batch `[T, batch, features]` is cut into windows of `k1` steps (the last may be shorter).
/// Each window runs forward from the previous window's final state, which is carried as a
/// constant (no gradient flows into the previous window), and backpropagates through at most its
/// last `k2` steps. Targets must be time-major too (`[T, …]`); a window's loss is the loss on its
/// slice of the targets, weighted by `windowLength / T`, so that the sum over windows is the mean
/// over the sequence. The gradients of all windows are summed into one gradient and the trainer
/// takes **one optimizer step per batch**: monitors, accumulation, rollback and the data cursor
/// stay batch-granular. With `k1 = k2 ≥ T` this is exactly full BPTT.
///
/// Each window's gradient norm is reported in `StepRecord.windowGradientNorms`.
///
/// ## References
/// - R. J. Williams, J. Peng, "An efficient gradient-based algorithm for on-line training of
///   recurrent network trajectories", Neural Computation 2 (1990).
public struct TruncatedBPTT: Codable, Hashable, Sendable {
    /// k1: the window length, in time steps (≥ 1).
    public var windowLength: Int
    /// k2: how many of a window's last steps are backpropagated (1 ≤ k2 ≤ k1).
    public var backpropagationDepth: Int

    /// BPTT(k1, k2); `k2` defaults to `k1`.
    public init(k1: Int, k2: Int? = nil) {
        let depth = k2 ?? k1
        precondition(k1 >= 1, "TruncatedBPTT: k1 \(k1) must be ≥ 1")
        precondition(depth >= 1 && depth <= k1, "TruncatedBPTT: k2 \(depth) must be in 1…k1 (k1 = \(k1))")
        windowLength = k1
        backpropagationDepth = depth
    }
}
