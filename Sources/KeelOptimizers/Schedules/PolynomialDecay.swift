/// Polynomial decay from `initialValue` to `endValue` over `totalSteps` steps, then constant
/// (Optax's `polynomial_schedule`; PyTorch's `PolynomialLR` is the case `endValue` = 0):
///
/// ```
/// η_t = (η₀ − η_end)·(1 − min(t, T)/T)^power + η_end
/// ```
public struct PolynomialDecay: LearningRateSchedule, Hashable {
    /// η₀, the value at step 0.
    public let initialValue: Double
    /// η_end, the value at and after ``totalSteps``.
    public let endValue: Double
    /// The exponent of the decay: 1 is linear, larger values drop faster early on.
    public let power: Double
    /// T, the step at which the value reaches ``endValue`` (> 0).
    public let totalSteps: Int

    /// A schedule from `initialValue` to `endValue` (default 0) over `totalSteps`, linear by default
    /// (`power` 1).
    ///
    /// - Precondition: `totalSteps` > 0.
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
