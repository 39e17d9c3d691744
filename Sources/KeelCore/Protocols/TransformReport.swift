/// What one transform did in one step, typed by the kind of transform, so consumers never infer a
/// kind from which fields are present.
///
/// - ``clip(_:)``: a clipper's measurement (``ClipReport``), appended on **every** step, fired or
///   not; what monitors and the event stream call clip reports.
/// - ``optimizer(_:)``: the learning rate an optimizer applied this step (``OptimizerReport``);
///   what the trainer logs as the step's learning rate.
/// - ``note(_:)``: anything else a transform wants on record (a guard that skipped a step, an
///   accumulator's micro-step, a hyperparameter injected) as a ``TransformNote``.
///
/// **JSON** (the run log's `clipReports` entries) is one flat object: `kind` (`clip`,
/// `optimizer` or `note`), `transform`, `fired`, and the payload's fields (`normBefore`,
/// `normAfter`, `coefficient`, `threshold`, `detail`, `learningRate`). Objects without `kind`
/// (logs written before reports were typed) decode by their fields: `learningRate` → optimizer,
/// `normBefore` → clip, otherwise note.
public enum TransformReport: Sendable, Hashable {
    /// A clipper's report.
    case clip(ClipReport)
    /// An optimizer's report.
    case optimizer(OptimizerReport)
    /// Any other transform's report.
    case note(TransformNote)

    /// The reporting transform's name, e.g. `GlobalNormClipper`.
    public var transform: String {
        switch self {
        case .clip(let report): report.transform
        case .optimizer(let report): report.transform
        case .note(let note): note.transform
        }
    }

    /// Whether the transform changed the updates beyond its normal rule: a clipper that clipped,
    /// a guard that skipped. Always `false` for an optimizer.
    public var fired: Bool {
        switch self {
        case .clip(let report): report.fired
        case .optimizer: false
        case .note(let note): note.fired
        }
    }

    /// Free-form detail, e.g. the first non-finite parameter.
    public var detail: String? {
        switch self {
        case .clip(let report): report.detail
        case .optimizer: nil
        case .note(let note): note.detail
        }
    }

    /// The clip payload, when this is a clipper's report.
    public var clip: ClipReport? {
        if case .clip(let report) = self { return report }
        return nil
    }

    /// The optimizer payload, when this is an optimizer's report.
    public var optimizer: OptimizerReport? {
        if case .optimizer(let report) = self { return report }
        return nil
    }

    /// Whether this is a clipper's report that fired: what counts as a clipped step.
    public var isFiredClip: Bool { clip?.fired ?? false }
}

/// What a clipper measured and did in one step.
///
/// Norms are in the units of the clipper's guarantee: the guarantee's norm for a global-norm
/// bound, L∞ (the largest |gᵢ|) for an elementwise bound, and the global L2 norm for bounds per
/// tensor, per unit or per element of a running moment (the detail says which). A conformance
/// suite checks that the numbers agree with the output: `normAfter` is the output's norm,
/// `normBefore` the input's, and a uniform `coefficient` is `normAfter / normBefore`.
public struct ClipReport: Sendable, Codable, Hashable {
    /// The clipper's name, e.g. `GlobalNormClipper`.
    public var transform: String
    /// Whether the clipper changed anything this step.
    public var fired: Bool
    /// The measured norm of the input (NaN or ∞ when it was not finite).
    public var normBefore: Double
    /// The norm of the output.
    public var normAfter: Double
    /// The factor every update was multiplied by (1 when nothing was clipped); `nil` when the
    /// clipper does not scale uniformly (per tensor, per unit, per element).
    public var coefficient: Double?
    /// The threshold in force this step; `nil` when the rule had none (a warm-up step without a
    /// cap, a non-finite norm the clipper did not measure against anything).
    public var threshold: Double?
    /// Free-form detail, e.g. "3 tensors clipped" or the first non-finite parameter.
    public var detail: String?

    /// A clip report.
    public init(
        transform: String, fired: Bool, normBefore: Double, normAfter: Double, coefficient: Double? = nil,
        threshold: Double? = nil, detail: String? = nil
    ) {
        self.transform = transform
        self.fired = fired
        self.normBefore = normBefore
        self.normAfter = normAfter
        self.coefficient = coefficient
        self.threshold = threshold
        self.detail = detail
    }
}

/// The learning rate an optimizer applied in one step (its schedule's value, after the
/// optimizer's own decay, × the trainer's multiplier): what a trainer logs as the step's learning
/// rate. Made by ``TransformContext/applyLearningRate(_:optimizer:)``.
public struct OptimizerReport: Sendable, Codable, Hashable {
    /// The optimizer's name, e.g. `Adam`.
    public var transform: String
    /// The learning rate applied this step.
    public var learningRate: Double

    /// An optimizer report.
    public init(transform: String, learningRate: Double) {
        self.transform = transform
        self.learningRate = learningRate
    }
}

/// A report from a transform that is neither a clipper nor an optimizer: a guard, an
/// accumulator, an injected hyperparameter.
public struct TransformNote: Sendable, Codable, Hashable {
    /// The transform's name, e.g. `ApplyIfFinite`.
    public var transform: String
    /// Whether the transform changed the updates (a guard that skipped the step).
    public var fired: Bool
    /// What happened.
    public var detail: String?

    /// A note.
    public init(transform: String, fired: Bool, detail: String? = nil) {
        self.transform = transform
        self.fired = fired
        self.detail = detail
    }
}

extension TransformReport: Codable {
    private enum CodingKeys: String, CodingKey {
        case kind, transform, fired, normBefore, normAfter, coefficient, threshold, detail, learningRate
    }

    private enum Kind: String, Codable {
        case clip, optimizer, note
    }

    /// Decodes the flat form (see ``TransformReport``), inferring the kind of an untyped report.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind: Kind
        if let typed = try container.decodeIfPresent(Kind.self, forKey: .kind) {
            kind = typed
        } else if container.contains(.learningRate) {
            kind = .optimizer
        } else if container.contains(.normBefore) {
            kind = .clip
        } else {
            kind = .note
        }
        let transform = try container.decode(String.self, forKey: .transform)
        switch kind {
        case .clip:
            self = .clip(
                ClipReport(
                    transform: transform, fired: try container.decode(Bool.self, forKey: .fired),
                    normBefore: try container.decode(Double.self, forKey: .normBefore),
                    normAfter: try container.decode(Double.self, forKey: .normAfter),
                    coefficient: try container.decodeIfPresent(Double.self, forKey: .coefficient),
                    threshold: try container.decodeIfPresent(Double.self, forKey: .threshold),
                    detail: try container.decodeIfPresent(String.self, forKey: .detail)))
        case .optimizer:
            self = .optimizer(
                OptimizerReport(transform: transform, learningRate: try container.decode(Double.self, forKey: .learningRate)))
        case .note:
            self = .note(
                TransformNote(
                    transform: transform, fired: try container.decodeIfPresent(Bool.self, forKey: .fired) ?? false,
                    detail: try container.decodeIfPresent(String.self, forKey: .detail)))
        }
    }

    /// Encodes the flat form (see ``TransformReport``).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(transform, forKey: .transform)
        switch self {
        case .clip(let report):
            try container.encode(Kind.clip, forKey: .kind)
            try container.encode(report.fired, forKey: .fired)
            try container.encode(report.normBefore, forKey: .normBefore)
            try container.encode(report.normAfter, forKey: .normAfter)
            try container.encodeIfPresent(report.coefficient, forKey: .coefficient)
            try container.encodeIfPresent(report.threshold, forKey: .threshold)
            try container.encodeIfPresent(report.detail, forKey: .detail)
        case .optimizer(let report):
            try container.encode(Kind.optimizer, forKey: .kind)
            try container.encode(false, forKey: .fired)
            try container.encode(report.learningRate, forKey: .learningRate)
        case .note(let note):
            try container.encode(Kind.note, forKey: .kind)
            try container.encode(note.fired, forKey: .fired)
            try container.encodeIfPresent(note.detail, forKey: .detail)
        }
    }
}
