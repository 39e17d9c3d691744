/// When the trainer evaluates its validation source.
public enum ValidationSchedule: Codable, Hashable, Sendable {
    /// After the last batch of every epoch.
    case everyEpoch
    /// After every `n`-th optimizer step (n ≥ 1).
    case everySteps(Int)
}
