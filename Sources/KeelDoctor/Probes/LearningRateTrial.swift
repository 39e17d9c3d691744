/// A short training run of a copy of the model at one optimizer and rate, without clipping: what
/// chooses among the rates the range test leaves open.
///
/// A range test of ~100 steps shows where training diverges, but on long-lag tasks the loss it
/// sees first falls to a constant predictor's at almost any rate (the adding problem's learning
/// starts after hundreds of steps), so its minimum says little about which rate learns. The
/// trials train each candidate rate for the same number of steps and compare the mean loss of
/// their last fifth: the evidence is the loss each rate reached.
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

    /// A trial's result; computes the score.
    public init(optimizer: String, learningRate: Double, losses: [Double], plannedSteps: Int, timedOut: Bool) {
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.losses = losses
        self.plannedSteps = plannedSteps
        self.timedOut = timedOut
        let tail = losses.suffix(max(1, losses.count / 5))
        score = losses.isEmpty || losses.contains { !$0.isFinite } ? .infinity : tail.reduce(0, +) / Double(tail.count)
    }

    /// Whether it ran to its end: all its steps, or until its loss diverged.
    public var isComplete: Bool { !timedOut }
}
