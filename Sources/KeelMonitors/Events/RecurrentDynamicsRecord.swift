/// The payload of ``TrainingEvent/recurrentDynamics(_:)``.
///
/// JSON fields: `step`, `layers` (array of `RecurrentDynamics`: `weightKey`,
/// `largestSingularValue`, `gradientFlow`, `gateSaturation`, `hiddenNormGrowth`).
public struct RecurrentDynamicsRecord: Sendable, Codable, Hashable {
    /// The step.
    public var step: Int
    /// One entry per recurrent layer.
    public var layers: [RecurrentDynamics]

    /// A record.
    public init(step: Int, layers: [RecurrentDynamics]) {
        self.step = step
        self.layers = layers
    }
}
