/// Polynomial decay from `initialValue` to `endValue` over `totalSteps` steps, then constant
/// (Optax's `polynomial_schedule`; PyTorch's `PolynomialLR` is the case `endValue` = 0):
///
/// ```
/// η_t = (η₀ − η_end)·(1 − min(t, T)/T)^power + η_end
/// ```
public struct PolynomialDecay: LearningRateSchedule, Hashable {
    public let initialValue: Double
    public let endValue: Double
    public let power: Double
    public let totalSteps: Int

    public init(initialValue: Double, endValue: Double = 0, power: Double = 1, totalSteps: Int) {
        precondition(totalSteps > 0, "PolynomialDecay: totalSteps \(totalSteps) must be > 0")
        self.initialValue = initialValue
        self.endValue = endValue
        self.power = power
        self.totalSteps = totalSteps
    }

    public func value(at step: Int) -> Double {
        let fraction = 1 - Double(min(max(step, 0), totalSteps)) / Double(totalSteps)
        return (initialValue - endValue) * ScheduleMath.power(fraction, power) + endValue
    }
}
