/// A monitor whose costly needs depend on the step, so the trainer computes them only on steps
/// where they are read (e.g. σ_max every N steps).
///
/// ``MonitorSet/needs(atStep:)`` asks conforming members; other members need ``Monitor/needs`` on
/// every step.
public protocol StepScheduledNeeds {
    /// What the monitor will read in the observation of step `step`.
    func needs(atStep step: Int) -> ObservationNeeds
}
