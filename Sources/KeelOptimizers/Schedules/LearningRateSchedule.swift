/// A learning rate as a function of the step: the value an optimizer uses at its `step`-th update
/// (0 for the first).
///
/// Schedules are small `Codable` value types, so a configuration (and a checkpoint) can store them;
/// composites (``LinearWarmup``, ``SequentialSchedule``, ``ProductSchedule``) are generic over
/// their parts and stay `Codable`. An optimizer given a schedule uses
/// `schedule.value(at: step)` in place of its `learningRate`:
///
/// ```swift
/// let adam = Adam<Float>(learningRate: 1e-3, schedule: CosineAnnealing(initialValue: 1e-3, maximumSteps: 10_000))
/// ```
///
/// Schedules are pure: `value(at:)` depends only on the configuration and `step`. A schedule that
/// reacts to a metric (``ReduceLROnPlateau``) keeps explicit state instead.
public protocol LearningRateSchedule: Sendable, Codable {
    /// The learning rate at `step` (0-based; negative steps are treated as 0).
    func value(at step: Int) -> Double
}
