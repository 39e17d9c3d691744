/// What the doctor found: the measurements at initialization and, when probes ran, their results.
public struct StabilityDiagnosis: Sendable, Codable, Hashable {
    /// σ_max of every recurrent weight (the model's `recurrentWeightKeys`).
    public var recurrentWeights: [RecurrentWeightSpectrum]
    /// The recurrent Jacobian and gate saturation of every cell (empty when the model is not a
    /// ``RecurrentCellHost``).
    public var cells: [CellDynamics]
    /// The gradient-flow profile of every recurrent layer (the model's `gradientFlowKeys`).
    public var profiles: [GradientFlowProfile]
    /// The sequence length T of the batches measured.
    public var sequenceLength: Int
    /// The longest dependency the task is assumed to need, in steps.
    public var taskLag: Int
    /// The mean training loss of the measured batches at initialization.
    public var initialLoss: Double
    /// The learning-rate range tests run, one per optimizer candidate.
    public var rangeTests: [LearningRateRangeTest]
    /// The short trainings that chose among the rates (the user's first).
    public var rateTrials: [LearningRateTrial] = []
    /// The gradient-norm probe at the chosen rate, when it ran.
    public var normProbe: GradientNormProbe?
    /// Seconds spent measuring at initialization.
    public var initializationSeconds: Double
    /// Seconds spent in the probes.
    public var probeSeconds: Double

    /// A diagnosis; see the properties.
    public init(
        recurrentWeights: [RecurrentWeightSpectrum], cells: [CellDynamics], profiles: [GradientFlowProfile], sequenceLength: Int,
        taskLag: Int, initialLoss: Double, rangeTests: [LearningRateRangeTest] = [], normProbe: GradientNormProbe? = nil,
        initializationSeconds: Double = 0, probeSeconds: Double = 0
    ) {
        self.recurrentWeights = recurrentWeights
        self.cells = cells
        self.profiles = profiles
        self.sequenceLength = sequenceLength
        self.taskLag = taskLag
        self.initialLoss = initialLoss
        self.rangeTests = rangeTests
        self.normProbe = normProbe
        self.initializationSeconds = initializationSeconds
        self.probeSeconds = probeSeconds
    }

    /// The first layer's profile (the one furthest from the loss, where vanishing shows first).
    public var firstProfile: GradientFlowProfile? { profiles.first }

    /// Whether Pascanu's necessary condition for explosion holds for some recurrent weight.
    public var explosionPossible: Bool { recurrentWeights.contains { $0.explosionPossible } }

    /// The largest median Jacobian radius over the cells (nil without cells).
    public var largestJacobianRadius: Double? { cells.map(\.jacobianRadius).filter(\.isFinite).max() }

    /// Whether some profile vanishes before the task's lag.
    public var vanishes: Bool { profiles.contains { $0.vanishes(before: taskLag) } }

    /// Whether some profile grows backwards in time.
    public var explodes: Bool { profiles.contains { $0.explodes } }

    /// The shortest horizon over the layers, when one falls inside the sequence.
    public var shortestHorizon: Int? { profiles.compactMap(\.horizon).min() }
}
