/// Multiplies the learning rate by `gamma` at each milestone:
/// `initialValue·gamma^(number of milestones ≤ t)` (PyTorch's `MultiStepLR`).
///
/// - Parameters:
///   - initialValue: the value at step 0.
///   - milestones: the steps at which the rate drops (any order; a repeated milestone drops twice,
///     as in PyTorch).
///   - gamma: the factor per milestone (default 0.1).
public struct MultiStepDecay: LearningRateSchedule, Hashable {
    /// The value before the first milestone.
    public let initialValue: Double
    /// The steps at which the rate drops, sorted ascending; a repeated milestone drops it once per copy.
    public let milestones: [Int]
    /// The multiplicative decay γ applied at each milestone.
    public let gamma: Double

    /// A schedule starting at `initialValue` and multiplied by `gamma` (default 0.1) at each of
    /// `milestones`, which may come in any order.
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
