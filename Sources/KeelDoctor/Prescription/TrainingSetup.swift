/// The user's training set-up as the prescription needs to know it: what the model's recurrence
/// is, and the optimization the user chose.
public struct TrainingSetup: Sendable, Codable, Hashable {
    /// What kind of recurrence the model has; it selects the initialization advice.
    public enum Recurrence: String, Sendable, Codable, Hashable {
        /// hₜ = tanh(W hₜ₋₁ + U xₜ + b).
        case tanh
        /// hₜ = ReLU(W hₜ₋₁ + U xₜ + b).
        case relu
        /// A gated cell (LSTM, GRU).
        case gated
        /// Anything else (a third-party cell): advice from the measurements alone.
        case other
    }

    /// The recurrence.
    public var recurrence: Recurrence
    /// The recurrent initialization, as the user named it (`default`, `orthogonal`, `normal`, …).
    public var initialization: String
    /// The spectral radius the recurrent weights were scaled to, if any.
    public var spectralRadius: Double?
    /// The optimizer's name (`sgd`, `adam`, …).
    public var optimizer: String
    /// The base learning rate.
    public var learningRate: Double
    /// The schedule's name (`constant`, `cosine`, …).
    public var schedule: String
    /// Whether the user clips gradients (any clipper).
    public var clips: Bool
    /// The truncated-BPTT window, if any.
    public var truncation: Int?
    /// α of the vanishing-gradient regularizer, if used.
    public var vanishingGradientRegularizer: Double?
    /// Whether the model outputs every step (a language model) rather than the last.
    public var outputsSequence: Bool

    /// A set-up; see the properties.
    public init(
        recurrence: Recurrence, initialization: String = "default", spectralRadius: Double? = nil, optimizer: String,
        learningRate: Double, schedule: String = "constant", clips: Bool, truncation: Int? = nil,
        vanishingGradientRegularizer: Double? = nil, outputsSequence: Bool = false
    ) {
        self.recurrence = recurrence
        self.initialization = initialization
        self.spectralRadius = spectralRadius
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.schedule = schedule
        self.clips = clips
        self.truncation = truncation
        self.vanishingGradientRegularizer = vanishingGradientRegularizer
        self.outputsSequence = outputsSequence
    }

    /// Whether the recurrent weights are already orthogonal at spectral radius 1 (± 5%).
    var isOrthogonalAtUnitRadius: Bool {
        initialization == "orthogonal" && abs((spectralRadius ?? 1) - 1) <= 0.05
    }
}
