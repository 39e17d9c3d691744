/// `first` until `boundary`, then `second` restarted at 0 (Optax's `join_schedules` for two
/// schedules; nest for more):
///
/// ```
/// η_t = first(t)                 for t < boundary
/// η_t = second(t − boundary)     for t ≥ boundary
/// ```
public struct SequentialSchedule<First: LearningRateSchedule, Second: LearningRateSchedule>: LearningRateSchedule {
    /// The schedule in force for steps 0 ..< ``boundary``.
    public let first: First
    /// The schedule in force from ``boundary`` on, evaluated at t − boundary.
    public let second: Second
    /// The first step that reads ``second`` (≥ 0).
    public let boundary: Int

    /// `first` for steps before `boundary`, then `second` restarted at 0.
    ///
    /// - Precondition: `boundary` ≥ 0.
    public init(_ first: First, then second: Second, at boundary: Int) {
        precondition(boundary >= 0, "SequentialSchedule: boundary \(boundary) must be ≥ 0")
        self.first = first
        self.second = second
        self.boundary = boundary
    }

    public func value(at step: Int) -> Double {
        step < boundary ? first.value(at: max(step, 0)) : second.value(at: step - boundary)
    }
}

/// The product of two schedules at every step, e.g. a decay envelope times a cyclic schedule.
public struct ProductSchedule<First: LearningRateSchedule, Second: LearningRateSchedule>: LearningRateSchedule {
    /// The first factor.
    public let first: First
    /// The second factor.
    public let second: Second

    /// The schedule first(t)·second(t).
    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    public func value(at step: Int) -> Double { first.value(at: step) * second.value(at: step) }
}

extension LearningRateSchedule {
    /// This schedule until `boundary`, then `next` restarted at 0.
    public func followed<Next: LearningRateSchedule>(by next: Next, at boundary: Int) -> SequentialSchedule<Self, Next> {
        SequentialSchedule(self, then: next, at: boundary)
    }

    /// This schedule multiplied by `other` at every step.
    public func multiplied<Other: LearningRateSchedule>(by other: Other) -> ProductSchedule<Self, Other> {
        ProductSchedule(self, other)
    }
}

extension SequentialSchedule: Equatable where First: Equatable, Second: Equatable {}
extension ProductSchedule: Equatable where First: Equatable, Second: Equatable {}
