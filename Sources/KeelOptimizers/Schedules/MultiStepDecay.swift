/// Multiplies the learning rate by `gamma` at each milestone:
/// `initialValue·gamma^(number of milestones ≤ t)` (PyTorch's `MultiStepLR`).
///
/// - Parameters:
///   - initialValue: the value at step 0.
///   - milestones: the steps at which the rate drops (any order; a repeated milestone drops twice,
///     as in PyTorch).
///   - gamma: the factor per milestone (default 0.1).
public struct MultiStepDecay: LearningRateSchedule, Hashable {
    public let initialValue: Double
    public let milestones: [Int]
    public let gamma: Double

    public init(initialValue: Double, milestones: [Int], gamma: Double = 0.1) {
        self.initialValue = initialValue
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }

    public func value(at step: Int) -> Double {
        let passed = milestones.lazy.filter { $0 <= step }.count
        return initialValue * ScheduleMath.power(gamma, Double(passed))
    }
}
