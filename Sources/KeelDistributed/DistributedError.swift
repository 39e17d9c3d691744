/// Why a distributed operation could not run.
public enum DistributedError: Error, Equatable, CustomStringConvertible {
    /// No MPI library could be loaded (or it lacks a symbol Keel needs); `detail` is one line.
    case mpiUnavailable(detail: String)
    /// An MPI call returned an error code (only with an error handler that returns codes).
    case mpiCallFailed(call: String, code: Int32)
    /// The global batch does not split evenly over the ranks.
    case batchNotDivisible(batchSize: Int, ranks: Int)
    /// The ranks do not run the same options or the same build; `detail` names the first difference.
    case ranksDisagree(detail: String)

    public var description: String {
        switch self {
        case .mpiUnavailable(let detail): detail
        case .mpiCallFailed(let call, let code): "\(call) failed with MPI error code \(code)"
        case .batchNotDivisible(let batchSize, let ranks):
            "the global batch size \(batchSize) (--batch-size) is not divisible by \(ranks) ranks: each rank takes an equal shard of every batch"
        case .ranksDisagree(let detail): detail
        }
    }
}
