/// Multiplies the learning rate by `gamma` every step: `initialValue·gammaᵗ` (PyTorch's
/// `ExponentialLR`).
///
/// - Parameters:
///   - initialValue: the value at step 0.
///   - gamma: the factor per step.
public struct ExponentialDecay: LearningRateSchedule, Hashable {
    public let initialValue: Double
    public let gamma: Double

    public init(initialValue: Double, gamma: Double) {
        precondition(gamma > 0, "ExponentialDecay: gamma \(gamma) must be > 0")
        self.initialValue = initialValue
        self.gamma = gamma
    }

    public func value(at step: Int) -> Double { initialValue * ScheduleMath.power(gamma, Double(max(step, 0))) }
}
