/// The payload of ``TrainingEvent/stepCompleted(_:)``: the scalars of one optimizer step.
///
/// JSON fields: `step`, `epoch`, `loss`, `globalGradientNorm` (before clipping), `learningRate`,
/// `clipped`, `updateApplied`, `clipReports` (array of `TransformReport`), and when known
/// `durationSeconds`, `updateNorm`, `batchIndex` and `windowGradientNorms` (truncated BPTT).
public struct StepRecord: Sendable, Codable, Hashable {
    /// The step index (0 for the first step; as in `StepObservation.step`).
    public var step: Int
    /// The epoch (0-based).
    public var epoch: Int
    /// The training loss.
    public var loss: Double
    /// ‖g‖ before the gradient pipeline.
    public var globalGradientNorm: Double
    /// The learning rate the step used.
    public var learningRate: Double
    /// Whether any clipper fired (derived from the clip reports in `clipReports` by default).
    public var clipped: Bool
    /// Whether the update was applied (false when skipped or rolled back).
    public var updateApplied: Bool
    /// The gradient pipeline's reports, in pipeline order.
    public var clipReports: [TransformReport]
    /// Wall-clock seconds the step took, if measured.
    public var durationSeconds: Double?
    /// ‖update‖₂ applied to the parameters (after the learning-rate scale), when applied.
    public var updateNorm: Double?
    /// The data-source index of the step's first batch within its epoch, if known.
    public var batchIndex: Int?
    /// The gradient norm of each truncated-BPTT window, when the step used truncated BPTT.
    public var windowGradientNorms: [Double]?

    /// A step record; `clipped` defaults to whether any clip report fired.
    public init(
        step: Int, epoch: Int, loss: Double, globalGradientNorm: Double, learningRate: Double,
        clipped: Bool? = nil, updateApplied: Bool = true, clipReports: [TransformReport] = [], durationSeconds: Double? = nil,
        updateNorm: Double? = nil, batchIndex: Int? = nil, windowGradientNorms: [Double]? = nil
    ) {
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.globalGradientNorm = globalGradientNorm
        self.learningRate = learningRate
        self.clipped = clipped ?? clipReports.contains { $0.isFiredClip }
        self.updateApplied = updateApplied
        self.clipReports = clipReports
        self.durationSeconds = durationSeconds
        self.updateNorm = updateNorm
        self.batchIndex = batchIndex
        self.windowGradientNorms = windowGradientNorms
    }
}

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
