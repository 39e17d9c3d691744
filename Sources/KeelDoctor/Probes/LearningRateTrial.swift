/// A short training run of a copy of the model at one optimizer and rate, without clipping: what
/// chooses among the rates the range test leaves open.
///
/// A range test of ~100 steps shows where training diverges, but on long-lag tasks the loss it
/// sees first falls to a constant predictor's at almost any rate (the adding problem's learning
/// starts after hundreds of steps), so its minimum says little about which rate learns. The
/// trials train each candidate rate for the same number of steps and compare the mean loss of
/// their last fifth: the evidence is the loss each rate reached. Trials the time budget cut short
/// are compared over the steps all of them ran (``comparable(_:)``).
public struct LearningRateTrial: Sendable, Codable, Hashable {
    /// The optimizer.
    public var optimizer: String
    /// The rate.
    public var learningRate: Double
    /// The training loss of each step taken.
    public var losses: [Double]
    /// Steps planned.
    public var plannedSteps: Int
    /// Whether the time budget cut the trial short (it is then not compared).
    public var timedOut: Bool
    /// The mean loss of the last fifth of the steps (∞ when a loss was not finite).
    public var score: Double
    /// The mean loss of the first fifth of the steps: where the trial started from.
    public var startLoss: Double

    /// A trial's result; computes the score.
    public init(optimizer: String, learningRate: Double, losses: [Double], plannedSteps: Int, timedOut: Bool) {
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.losses = losses
        self.plannedSteps = plannedSteps
        self.timedOut = timedOut
        let tail = losses.suffix(max(1, losses.count / 5))
        score = losses.isEmpty || losses.contains { !$0.isFinite } ? .infinity : tail.reduce(0, +) / Double(tail.count)
        let head = losses.prefix(max(1, losses.count / 5))
        startLoss = head.isEmpty ? .nan : head.reduce(0, +) / Double(head.count)
    }

    /// Whether it ran to its end: all its steps, or until its loss diverged.
    public var isComplete: Bool { !timedOut }

    /// Whether its loss or gradient stopped being finite.
    public var diverged: Bool { losses.contains { !$0.isFinite } || (!timedOut && losses.count < plannedSteps) }

    /// The trials made comparable: a trial's first L losses are exactly those of a trial of L
    /// steps, so every trial is cut to the length L of the shortest one that neither diverged
    /// nor ran less than half as long as the longest (those are left out). Diverged trials stay
    /// (their score is ∞).
    public static func comparable(_ trials: [LearningRateTrial]) -> [LearningRateTrial] {
        let longest = trials.map(\.losses.count).max() ?? 0
        let kept = trials.filter { $0.diverged || 2 * $0.losses.count >= longest }
        guard let length = kept.filter({ !$0.diverged }).map(\.losses.count).min(), length > 0 else { return kept }
        return kept.map { trial in
            trial.diverged && trial.losses.count <= length
                ? trial
                : LearningRateTrial(
                    optimizer: trial.optimizer, learningRate: trial.learningRate, losses: Array(trial.losses.prefix(length)),
                    plannedSteps: length, timedOut: false)
        }
    }
}
