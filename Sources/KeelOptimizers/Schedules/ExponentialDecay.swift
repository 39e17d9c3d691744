/// Multiplies the learning rate by `gamma` every step: `initialValue·gammaᵗ` (PyTorch's
/// `ExponentialLR`).
///
/// - Parameters:
///   - initialValue: the value at step 0.
///   - gamma: the factor per step.
public struct ExponentialDecay: LearningRateSchedule, Hashable {
    /// The value at step 0.
    public let initialValue: Double
    /// The multiplicative decay γ applied every step (> 0).
    public let gamma: Double

    /// A schedule starting at `initialValue` and multiplied by `gamma` every step.
    ///
    /// - Precondition: `gamma` > 0.
    public init(initialValue: Double, gamma: Double) {
        precondition(gamma > 0, "ExponentialDecay: gamma \(gamma) must be > 0")
        self.initialValue = initialValue
        self.gamma = gamma
    }

    public func value(at step: Int) -> Double { initialValue * ScheduleMath.power(gamma, Double(max(step, 0))) }
}
