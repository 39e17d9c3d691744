import KeelTrainer

/// The exit status of `keel train`, one per way a run can end, so that scripts can tell a
/// finished run from one a monitor stopped or one whose rollbacks ran out.
///
/// | status | meaning |
/// |---|---|
/// | 0 | the run reached its steps, epochs or `--stop-at-error` target (or stopped early on a plateau) |
/// | 1 | an error: bad options, data or checkpoint, an unwritable file (one `error:` line says which) |
/// | 3 | a monitor stopped training (`--on-explosion stop`) |
/// | 4 | the rollback budget was exhausted (`--on-explosion rollback`, or `skip` escalating) |
/// | 5 | the run diverged: the weights became non-finite (`--on-explosion warn`, `--monitors none`; no checkpoint holds them) or the validation loss is non-finite or above 10⁶ × the best constant prediction's |
///
/// ArgumentParser's own usage errors (an unknown flag, a value that is not a number) exit 64.
public enum TrainExitStatus: Int32, Sendable {
    /// The run reached its steps or target.
    case success = 0
    /// An error stopped the command before or during training.
    case failure = 1
    /// A monitor's stop verdict ended training.
    case stoppedByMonitor = 3
    /// A rollback was needed but the budget was spent.
    case rollbackBudgetExhausted = 4
    /// The model diverged: its weights or its validation loss became NaN or infinite.
    case diverged = 5

    /// The status of a run that ended for `stopReason` (the trainer already lets non-finite
    /// weights win over any other ending): a target reached is a success, a diverged metric or
    /// non-finite weights a divergence.
    init(stopReason: StopReason) {
        switch stopReason {
        case .completed, .reachedMaxSteps, .earlyStopping, .targetReached: self = .success
        case .monitor: self = .stoppedByMonitor
        case .rollbackBudgetExhausted: self = .rollbackBudgetExhausted
        case .metricDiverged, .nonFiniteWeights: self = .diverged
        }
    }

    /// One line for the console.
    public var meaning: String {
        switch self {
        case .success: "the run reached its steps or target"
        case .failure: "an error stopped the command"
        case .stoppedByMonitor: "a monitor stopped training"
        case .rollbackBudgetExhausted: "the rollback budget was exhausted"
        case .diverged: "the model diverged (non-finite weights, or a non-finite or absurd validation loss)"
        }
    }

    /// The summary's parenthesis: why training ended, in the words of the chosen policy.
    func summary(stopReason: StopReason, onExplosion: ExplosionPolicyChoice) -> String {
        switch (self, stopReason) {
        case (.diverged, _): return "diverged"
        case (.rollbackBudgetExhausted, .rollbackBudgetExhausted(let reason)):
            let policy = onExplosion == .skip ? "skipping did not help (3 non-finite steps in a row escalate to rollback) and " : ""
            return "stopped: \(policy)the rollback budget is exhausted: \(reason)"
        default: return stopReason.description
        }
    }
}
