/// The payload of ``TrainingEvent/gradientFlow(_:)``: the per-timestep gradient-flow profiles of
/// recurrent layers in one step.
///
/// JSON fields: `step`, `profiles` (array of `{weightKey, norms, rate}`; `rate` per
/// ``GradientFlowMonitor/fitRate(_:minimumLength:)`` when it could be fitted).
public struct GradientFlowRecord: Sendable, Codable, Hashable {
    /// One layer's profile.
    public struct Profile: Sendable, Codable, Hashable {
        /// The layer's recurrent weight key.
        public var weightKey: ParameterKey
        /// ‖∂L/∂hₜ‖ for t = 0…T−1.
        public var norms: [Double]
        /// The fitted backward growth rate per step.
        public var rate: Double?

        /// A profile; `rate` defaults to the fitted one.
        public init(weightKey: ParameterKey, norms: [Double], rate: Double? = nil) {
            self.weightKey = weightKey
            self.norms = norms
            self.rate = rate ?? GradientFlowMonitor.fitRate(norms)
        }
    }

    /// The step.
    public var step: Int
    /// The profiles.
    public var profiles: [Profile]

    /// A record.
    public init(step: Int, profiles: [Profile]) {
        self.step = step
        self.profiles = profiles
    }

    /// The profiles recorded in an observation's recurrent dynamics.
    public init(step: Int, dynamics: [RecurrentDynamics]) {
        self.init(
            step: step,
            profiles: dynamics.filter { !$0.gradientFlow.isEmpty }.map { Profile(weightKey: $0.weightKey, norms: $0.gradientFlow) })
    }
}
