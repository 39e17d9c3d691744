/// A linear warm-up over `steps` steps from `initialValue` to the value where `then` starts, after
/// which `then` runs (restarted at 0):
///
/// ```
/// η_t = η_init + (after(0) − η_init)·t / W     for t < W
/// η_t = after(t − W)                          for t ≥ W
/// ```
///
/// ```swift
/// let schedule = LinearWarmup(steps: 500, then: CosineAnnealing(initialValue: 3e-4, maximumSteps: 10_000))
/// ```
public struct LinearWarmup<After: LearningRateSchedule>: LearningRateSchedule {
    /// W, the length of the warm-up in steps (≥ 0; 0 runs ``after`` from the start).
    public let steps: Int
    /// η_init, the value at step 0.
    public let initialValue: Double
    /// The schedule that runs once the warm-up ends, restarted at 0.
    public let after: After

    /// A warm-up from `initialValue` (default 0) to `after(0)` over `steps` steps, then `after`.
    ///
    /// - Precondition: `steps` ≥ 0.
    public init(steps: Int, initialValue: Double = 0, then after: After) {
        precondition(steps >= 0, "LinearWarmup: steps \(steps) must be ≥ 0")
        self.steps = steps
        self.initialValue = initialValue
        self.after = after
    }

    public func value(at step: Int) -> Double {
        let step = max(step, 0)
        if step >= steps { return after.value(at: step - steps) }
        return initialValue + (after.value(at: 0) - initialValue) * Double(step) / Double(steps)
    }
}

/// A half-cosine warm-up over `steps` steps from `initialValue` to the value where `then` starts,
/// after which `then` runs (restarted at 0):
///
/// ```
/// η_t = η_init + (after(0) − η_init)·(1 − cos(π·t / W)) / 2     for t < W
/// η_t = after(t − W)                                          for t ≥ W
/// ```
public struct CosineWarmup<After: LearningRateSchedule>: LearningRateSchedule {
    /// W, the length of the warm-up in steps (≥ 0; 0 runs ``after`` from the start).
    public let steps: Int
    /// η_init, the value at step 0.
    public let initialValue: Double
    /// The schedule that runs once the warm-up ends, restarted at 0.
    public let after: After

    /// A half-cosine warm-up from `initialValue` (default 0) to `after(0)` over `steps` steps, then
    /// `after`.
    ///
    /// - Precondition: `steps` ≥ 0.
    public init(steps: Int, initialValue: Double = 0, then after: After) {
        precondition(steps >= 0, "CosineWarmup: steps \(steps) must be ≥ 0")
        self.steps = steps
        self.initialValue = initialValue
        self.after = after
    }

    public func value(at step: Int) -> Double {
        let step = max(step, 0)
        if step >= steps { return after.value(at: step - steps) }
        return cosineInterpolation(from: after.value(at: 0), to: initialValue, fraction: 1 - Double(step) / Double(steps))
    }
}

extension LinearWarmup: Equatable where After: Equatable {}
extension CosineWarmup: Equatable where After: Equatable {}
