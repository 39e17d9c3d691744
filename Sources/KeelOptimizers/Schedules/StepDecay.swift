/// Multiplies the learning rate by `gamma` every `stepSize` steps:
/// `initialValue·gamma^⌊t / stepSize⌋` (PyTorch's `StepLR`).
///
/// - Parameters:
///   - initialValue: the value at step 0.
///   - stepSize: steps between decays (> 0).
///   - gamma: the factor per decay (default 0.1).
public struct StepDecay: LearningRateSchedule, Hashable {
    /// The value for steps 0 ..< ``stepSize``.
    public let initialValue: Double
    /// The number of steps between decays (> 0).
    public let stepSize: Int
    /// The multiplicative decay γ applied every ``stepSize`` steps.
    public let gamma: Double

    /// A schedule starting at `initialValue` and multiplied by `gamma` every `stepSize` steps.
    ///
    /// - Precondition: `stepSize` > 0.
    public init(initialValue: Double, stepSize: Int, gamma: Double = 0.1) {
        precondition(stepSize > 0, "StepDecay: stepSize \(stepSize) must be > 0")
        self.initialValue = initialValue
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func value(at step: Int) -> Double {
        initialValue * ScheduleMath.power(gamma, Double(max(step, 0) / stepSize))
    }
}
