import KeelCore

/// A monitor that never intervenes: it asks the trainer for the gradient-flow profile
/// ‖∂L/∂hₜ‖ every `every` steps, so that `gradientFlow` events reach the log for the report's
/// heatmap without paying for the backward-through-time norms on every step.
public struct GradientFlowSampler: Monitor {
    /// The interval in steps between gradient-flow profiles (≥ 1): steps 0, every, 2·every, ….
    public var every: Int

    /// A sampler asking for the gradient-flow profile every `every` steps.
    ///
    /// - Precondition: `every` ≥ 1.
    public init(every: Int) {
        precondition(every >= 1, "GradientFlowSampler: every must be ≥ 1")
        self.every = every
    }

    public var needs: ObservationNeeds { .gradientFlow }
    /// `ObservationNeeds.gradientFlow` on multiples of ``every``, nothing otherwise.
    public func needs(atStep step: Int) -> ObservationNeeds { step % every == 0 ? .gradientFlow : [] }
    public mutating func inspect(_ observation: StepObservation) -> MonitorVerdict { .proceed }
}
