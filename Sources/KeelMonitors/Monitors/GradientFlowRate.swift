/// The fitted gradient-flow rate of one recurrent layer in one step.
public struct GradientFlowRate: Sendable, Codable, Hashable {
    /// The key of the layer's recurrent weight.
    public var weightKey: ParameterKey
    /// The per-step growth factor of ‖∂L/∂hₜ‖ going **backward** in time (see
    /// `GradientFlowMonitor.fitRate(_:)`): > 1 explodes, < 1 vanishes.
    public var rate: Double

    /// A rate for a layer.
    public init(weightKey: ParameterKey, rate: Double) {
        self.weightKey = weightKey
        self.rate = rate
    }
}
