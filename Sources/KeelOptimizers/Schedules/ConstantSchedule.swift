/// The same learning rate at every step.
public struct ConstantSchedule: LearningRateSchedule, Hashable {
    public let value: Double

    public init(value: Double) { self.value = value }

    public func value(at step: Int) -> Double { value }
}
