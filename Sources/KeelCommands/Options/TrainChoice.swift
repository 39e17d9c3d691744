import KeelTrainer

/// A closed set of names one `keel train` option accepts (`--cell lstm`, `"optimizer": "adam"`).
///
/// The raw value is the spelling on the command line and in configuration files; an unknown
/// spelling is an ``UnknownChoiceError``, never a silent default.
public protocol TrainChoice: RawRepresentable<String>, CaseIterable, Codable, Sendable, Hashable {}

extension TrainChoice {
    /// Every accepted spelling, in declaration order.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// The choice spelled `name`.
    ///
    /// - Parameters:
    ///   - name: The spelling to look up.
    ///   - option: The option it was given for (`"cell"`), named in the error.
    /// - Throws: ``UnknownChoiceError`` naming the option, the value, the closest spelling and
    ///   every valid one.
    public init(named name: String, option: String) throws(UnknownChoiceError) {
        guard let choice = Self(rawValue: name) else { throw UnknownChoiceError(option: option, value: name, choices: Self.names) }
        self = choice
    }
}

/// A name that is not one of an option's choices: "unknown cell 'lstn' (did you mean 'lstm'?),
/// expected one of rnn-tanh, rnn-relu, lstm, gru".
public struct UnknownChoiceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The option the name was given for, spelled as its flag without dashes (`on-explosion`).
    public var option: String
    /// The name given.
    public var value: String
    /// Every name the option accepts.
    public var choices: [String]

    /// The error for `value` given to `option`, whose valid names are `choices`.
    public init(option: String, value: String, choices: [String]) {
        self.option = option
        self.value = value
        self.choices = choices
    }

    public var description: String {
        let suggestion = closestMatch(to: value, in: choices).map { " (did you mean '\($0)'?)" } ?? ""
        return "unknown \(option) '\(value)'\(suggestion), expected one of \(choices.joined(separator: ", "))"
    }
}

/// The synthetic tasks of `--task`.
public enum TaskChoice: String, TrainChoice {
    /// `AddingProblem` (Hochreiter & Schmidhuber's variant).
    case adding
    /// `AddingProblem` in Pascanu et al.'s variant.
    case addingPascanu = "adding-pascanu"
    /// `MultiplicationProblem`.
    case multiplication
    /// `TemporalOrderProblem` with two markers.
    case temporalOrder = "temporal-order"
    /// `TemporalOrderProblem` with three markers (eight classes).
    case temporalOrder3Bit = "temporal-order-3bit"
    /// `CopyTask`.
    case copy
    /// `RandomPermutationProblem`.
    case permutation
    /// `NoiselessMemorizationProblem`.
    case memorization
}

/// The recurrent cells of `--cell`.
public enum CellChoice: String, TrainChoice {
    /// Elman RNN with tanh.
    case rnnTanh = "rnn-tanh"
    /// Elman RNN with ReLU.
    case rnnReLU = "rnn-relu"
    /// LSTM.
    case lstm
    /// GRU.
    case gru

    /// The network specification's cell.
    public var kind: RecurrentCellKind {
        switch self {
        case .rnnTanh: .rnnTanh
        case .rnnReLU: .rnnReLU
        case .lstm: .lstm
        case .gru: .gru
        }
    }

    /// The number of gate blocks in the cell's weights (4 for LSTM, 3 for GRU, 1 for an RNN).
    public var gateCount: Int {
        switch self {
        case .rnnTanh, .rnnReLU: 1
        case .lstm: 4
        case .gru: 3
        }
    }

    /// Whether the cell has gates (LSTM, GRU).
    public var isGated: Bool {
        switch self {
        case .rnnTanh, .rnnReLU: false
        case .lstm, .gru: true
        }
    }
}

/// The optimizers of `--optimizer`.
public enum OptimizerChoice: String, TrainChoice {
    /// `SGD`.
    case sgd
    /// `Adam`.
    case adam
    /// `AdamW`.
    case adamw
    /// `RMSprop`.
    case rmsprop
    /// `Adagrad`.
    case adagrad
    /// `Lion`.
    case lion

    /// The learning rate used when `--learning-rate` is not given.
    public var defaultLearningRate: Double {
        switch self {
        case .sgd: 0.05
        case .rmsprop, .adagrad: 1e-2
        case .lion: 1e-4
        case .adam, .adamw: 3e-3
        }
    }
}

/// The learning-rate schedules of `--schedule`.
public enum ScheduleChoice: String, TrainChoice {
    /// No schedule: the base learning rate throughout.
    case constant
    /// Cosine annealing to 1% of the base rate.
    case cosine
    /// ×0.3 every third of the horizon.
    case step
    /// Exponential decay to 1% by the end of the horizon.
    case exponential
    /// One cycle peaking at the base rate.
    case onecycle
}

/// The gradient clippers of `--clip`.
public enum ClipperChoice: String, TrainChoice {
    /// No clipping.
    case none
    /// `GlobalNormClipper`.
    case globalNorm = "global-norm"
    /// `ValueClipper`.
    case value
    /// `NormClipper` (per tensor).
    case norm
    /// `AdaptiveGradientClipper`.
    case agc
    /// `AutoClipper`.
    case autoclip
    /// `ZScoreClipper`.
    case zclip

    /// The threshold used when `--clip-threshold` is not given (`nil` for ``none``).
    public var defaultThreshold: Double? {
        switch self {
        case .none: nil
        case .globalNorm, .norm: 1
        case .value: 0.1
        case .agc: 0.05
        case .autoclip: 10
        case .zclip: 2.5
        }
    }
}

/// The recurrent weight initializers of `--init-recurrent`.
public enum RecurrentInitializerChoice: String, TrainChoice {
    /// Each cell's own initializer.
    case `default`
    /// Orthogonal (scaled to `--spectral-radius`, default 1).
    case orthogonal
    /// Glorot uniform, per gate block.
    case glorot
    /// The identity, per gate block (Le et al.'s IRNN).
    case identity
}

/// The whole-network initializers of `--init-weights`.
public enum WeightInitializerChoice: String, TrainChoice {
    /// Each layer's own initializer, then `--init-recurrent`.
    case `default`
    /// Every weight matrix N(0, `--init-std`²), every bias 0.
    case normal
}

/// The monitor sets of `--monitors`.
public enum MonitorSetChoice: String, TrainChoice {
    /// Non-finite, explosion, loss spike, vanishing and dynamics monitors.
    case standard
    /// Only the recorders that feed the report.
    case none
}

/// The responses of `--on-explosion`.
public enum ExplosionPolicyChoice: String, TrainChoice {
    /// Skip the update.
    case skip
    /// Roll back to the last good snapshot.
    case rollback
    /// Stop training.
    case stop
    /// Warn and apply the update.
    case warn
}

/// The names `keel train` accepts for each choice (the raw values of the choice enums).
public enum TrainChoices {
    /// The synthetic tasks of `--task`.
    public static var tasks: [String] { TaskChoice.names }
    /// The recurrent cells of `--cell`.
    public static var cells: [String] { CellChoice.names }
    /// The optimizers of `--optimizer`.
    public static var optimizers: [String] { OptimizerChoice.names }
    /// The learning-rate schedules of `--schedule`.
    public static var schedules: [String] { ScheduleChoice.names }
    /// The gradient clippers of `--clip`.
    public static var clippers: [String] { ClipperChoice.names }
    /// The recurrent weight initializers of `--init-recurrent`.
    public static var recurrentInitializers: [String] { RecurrentInitializerChoice.names }
    /// The whole-network initializers of `--init-weights`.
    public static var weightInitializers: [String] { WeightInitializerChoice.names }
    /// The monitor sets of `--monitors`.
    public static var monitorSets: [String] { MonitorSetChoice.names }
    /// The responses of `--on-explosion`.
    public static var explosionPolicies: [String] { ExplosionPolicyChoice.names }
}
