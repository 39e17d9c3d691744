/// Cosine annealing from `initialValue` to `minimumValue` over `maximumSteps` steps (PyTorch's
/// `CosineAnnealingLR`, closed form):
///
/// ```
/// η_t = η_min + (η₀ − η_min)·(1 + cos(π·t / T_max)) / 2     for t ≤ T_max
/// η_t = η_min                                               for t > T_max
/// ```
///
/// Past `maximumSteps` the value stays at `minimumValue` (as Optax's `cosine_decay_schedule`);
/// PyTorch's recursive form would rise again. For restarts use ``CosineAnnealingWarmRestarts``.
///
/// ## References
/// Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017.
public struct CosineAnnealing: LearningRateSchedule, Hashable {
    /// η₀, the value at step 0.
    public let initialValue: Double
    /// T_max, the step at which the value reaches ``minimumValue`` (> 0).
    public let maximumSteps: Int
    /// η_min, the value at and after ``maximumSteps``.
    public let minimumValue: Double

    /// A schedule descending from `initialValue` to `minimumValue` (default 0) over `maximumSteps`.
    ///
    /// - Precondition: `maximumSteps` > 0.
    public init(initialValue: Double, maximumSteps: Int, minimumValue: Double = 0) {
        precondition(maximumSteps > 0, "CosineAnnealing: maximumSteps \(maximumSteps) must be > 0")
        self.initialValue = initialValue
        self.maximumSteps = maximumSteps
        self.minimumValue = minimumValue
    }

    public func value(at step: Int) -> Double {
        let t = Double(min(max(step, 0), maximumSteps))
        return cosineInterpolation(from: initialValue, to: minimumValue, fraction: t / Double(maximumSteps))
    }
}

/// end + (start − end)·(1 + cos(π·fraction)) / 2: `start` at 0, `end` at 1.
func cosineInterpolation(from start: Double, to end: Double, fraction: Double) -> Double {
    end + (start - end) * (1 + ScheduleMath.cosine(Double.pi * fraction)) / 2
}
