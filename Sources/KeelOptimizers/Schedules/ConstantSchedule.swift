/// The same learning rate at every step.
public struct ConstantSchedule: LearningRateSchedule, Hashable {
    /// The learning rate returned at every step.
    public let value: Double

    /// A schedule that always returns `value`.
    public init(value: Double) { self.value = value }

    public func value(at step: Int) -> Double { value }
}
