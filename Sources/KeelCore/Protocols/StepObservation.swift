/// Everything monitors may look at after one training step's backward pass, computed once and
/// shared by all monitors.
///
/// Per-parameter arrays are indexed like ``parameterKeys`` (the model's parameter order). Costly
/// parts are filled only when some monitor asks for them (``ObservationNeeds``); otherwise they are
/// empty or `nil`.
public struct StepObservation: Sendable {
    /// The number of optimizer steps taken before this one (0 on the first step).
    public var step: Int
    /// The epoch this step belongs to (0-based).
    public var epoch: Int
    /// The training loss of this step (NaN or ±∞ when the forward pass blew up).
    public var loss: Double
    /// The learning rate the step will use.
    public var learningRate: Double
    /// The parameter keys, in model order.
    public var parameterKeys: [ParameterKey]
    /// ‖g‖₂ of each parameter's gradient.
    public var gradientNorms: [Double]
    /// ‖g‖₂ of all gradients together (before any clipping).
    public var globalGradientNorm: Double
    /// How many NaN/±∞ values each gradient holds.
    public var nonFiniteCounts: [Int]
    /// The first parameter in **backward order** (the order backpropagation produced gradients:
    /// from the loss back to the input) whose gradient holds NaN/±∞; where an explosion started.
    public var firstNonFiniteKey: ParameterKey?
    /// ‖w‖₂ of each parameter (filled when a monitor needs ``ObservationNeeds/parameterNorms``).
    public var parameterNorms: [Double]
    /// ‖Δw‖₂ of the previous step's update (nil on the first step or when not needed).
    public var previousUpdateNorm: Double?
    /// Recurrent dynamics, when a monitor needs them and the model has recurrent layers.
    public var recurrentDynamics: [RecurrentDynamics]

    /// An observation of one step. The costly parts (``parameterNorms``, ``previousUpdateNorm``,
    /// ``recurrentDynamics``) default to empty, for steps where no monitor needs them.
    ///
    /// - Precondition: the per-parameter arrays have one entry per key of `parameterKeys`
    ///   (`parameterNorms` may also be empty when not computed).
    public init(
        step: Int, epoch: Int, loss: Double, learningRate: Double, parameterKeys: [ParameterKey],
        gradientNorms: [Double], globalGradientNorm: Double, nonFiniteCounts: [Int],
        firstNonFiniteKey: ParameterKey? = nil, parameterNorms: [Double] = [], previousUpdateNorm: Double? = nil,
        recurrentDynamics: [RecurrentDynamics] = []
    ) {
        precondition(
            gradientNorms.count == parameterKeys.count && nonFiniteCounts.count == parameterKeys.count
                && (parameterNorms.isEmpty || parameterNorms.count == parameterKeys.count),
            "StepObservation: per-parameter arrays (gradientNorms \(gradientNorms.count), nonFiniteCounts \(nonFiniteCounts.count), parameterNorms \(parameterNorms.count)) must match \(parameterKeys.count) parameter keys")
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.learningRate = learningRate
        self.parameterKeys = parameterKeys
        self.gradientNorms = gradientNorms
        self.globalGradientNorm = globalGradientNorm
        self.nonFiniteCounts = nonFiniteCounts
        self.firstNonFiniteKey = firstNonFiniteKey
        self.parameterNorms = parameterNorms
        self.previousUpdateNorm = previousUpdateNorm
        self.recurrentDynamics = recurrentDynamics
    }

    /// ‖g‖/‖w‖ of each parameter (needs ``parameterNorms``; ∞ for a zero weight with a non-zero
    /// gradient, 0 when both are zero).
    public var gradientToWeightRatios: [Double] {
        zip(gradientNorms, parameterNorms).map { gradient, weight in
            weight > 0 ? gradient / weight : (gradient > 0 ? .infinity : 0)
        }
    }

    /// Whether the loss or any gradient is NaN/±∞.
    public var hasNonFiniteValues: Bool {
        !loss.isFinite || !globalGradientNorm.isFinite || nonFiniteCounts.contains { $0 > 0 }
    }
}

/// What one recurrent layer's dynamics looked like in a step.
public struct RecurrentDynamics: Sendable, Codable, Hashable {
    /// The key of the layer's recurrent weight, e.g. `encoder.weightHH`.
    public var weightKey: ParameterKey
    /// σ_max(W_hh), the largest singular value (estimated by power iteration), if computed.
    public var largestSingularValue: Double?
    /// ‖∂L/∂hₜ‖₂ for t = 0 ..< T of the last window (the gradient-flow profile), if recorded.
    public var gradientFlow: [Double]
    /// The fraction of gate activations within 0.01 of their bounds (σ near 0 or 1, tanh near ±1).
    public var gateSaturation: Double?
    /// ‖h_T‖/‖h_1‖ over the sequence: hidden-state norm growth.
    public var hiddenNormGrowth: Double?

    /// The dynamics of the layer whose recurrent weight is `weightKey`; measurements not taken this
    /// step stay `nil` (or empty).
    public init(
        weightKey: ParameterKey, largestSingularValue: Double? = nil, gradientFlow: [Double] = [],
        gateSaturation: Double? = nil, hiddenNormGrowth: Double? = nil
    ) {
        self.weightKey = weightKey
        self.largestSingularValue = largestSingularValue
        self.gradientFlow = gradientFlow
        self.gateSaturation = gateSaturation
        self.hiddenNormGrowth = hiddenNormGrowth
    }
}

/// Which costly parts of a ``StepObservation`` a monitor reads, so the trainer computes only what
/// some monitor needs ("monitors with nothing to watch cost nothing").
public struct ObservationNeeds: OptionSet, Sendable, Hashable {
    /// The bit set: one bit per costly part.
    public let rawValue: Int
    /// The needs whose bits are set in `rawValue`.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// ‖w‖ of each parameter.
    public static let parameterNorms = ObservationNeeds(rawValue: 1 << 0)
    /// ‖Δw‖ of the previous update.
    public static let updateNorm = ObservationNeeds(rawValue: 1 << 1)
    /// The per-timestep gradient-flow profile of recurrent layers.
    public static let gradientFlow = ObservationNeeds(rawValue: 1 << 2)
    /// σ_max of recurrent weights, gate saturation and hidden-norm growth.
    public static let recurrentDynamics = ObservationNeeds(rawValue: 1 << 3)
}
