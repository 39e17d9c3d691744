import Foundation
import KeelConformance

// The mutant corpus's clippers: third-party-style clippers written from scratch, each with one
// realistic bug chosen by `bug` (`.none` is the correct control, which must pass every law).

/// A stateless global-L2 clipper, g·c/‖g‖ above c, with one bug.
struct CorpusNormClipper: ThresholdClipper {
    enum Bug: String, Sendable, CaseIterable {
        case none
        /// Compares Σg² with c instead of ‖g‖ (fires only above √c).
        case comparesSquaredNorm
        /// Fires only above 1.05·c.
        case lenientThreshold
        /// Appends no report.
        case noReport
        /// Reports normAfter = normBefore.
        case reportsInputNormAsOutput
        /// Reports the threshold it was built with, not the one in force.
        case reportsStaleThreshold
        /// Reports fired = false even when it clipped.
        case neverReportsFired
        /// The threshold setter does nothing.
        case thresholdSetterIgnored
        /// Measures ‖g‖∞ while declaring ‖g‖₂.
        case measuresWrongNorm
        /// Scales to c/2 while reporting c.
        case overClips
        /// Compares with c/2 but scales by c/‖g‖ (grows gradients between c/2 and c).
        case firesTooEarly
        /// Accumulates the norm in Float (overflows to ∞ for large gradients).
        case floatAccumulation
    }

    typealias Scalar = Float
    var bug: Bug
    var configured: Double
    var stored: Double

    init(_ bug: Bug, maxNorm: Double = 1) {
        self.bug = bug
        configured = maxNorm
        stored = maxNorm
    }

    var threshold: Double {
        get { bug == .thresholdSetterIgnored ? configured : stored }
        set { if bug != .thresholdSetterIgnored { stored = newValue } }
    }

    var guarantee: ClippingGuarantee { .globalNorm(max: threshold, norm: .l2) }

    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }

    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        let c = threshold
        let norm: Double
        switch bug {
        case .measuresWrongNorm: norm = updates.globalNorm(.infinity)
        case .floatAccumulation:
            var squares: Float = 0
            for tensor in updates.tensors { squares += tensor.squared().sum() }
            norm = Double(squares.squareRoot())
        default: norm = updates.globalNorm(.l2)
        }
        let fires: Bool
        switch bug {
        case .comparesSquaredNorm: fires = norm * norm > c
        case .lenientThreshold: fires = norm > 1.05 * c
        case .firesTooEarly: fires = norm > c / 2
        default: fires = norm > c
        }
        let coefficient = fires ? (bug == .overClips ? c / (2 * norm) : c / norm) : 1
        if fires { updates.scale(by: Float(coefficient)) }
        guard bug != .noReport else { return }
        let after = fires ? (bug == .reportsInputNormAsOutput ? norm : (bug == .overClips ? c : norm * coefficient)) : norm
        context.reports.append(
            .clip(ClipReport(
                transform: "CorpusNormClipper", fired: bug == .neverReportsFired ? false : fires, normBefore: norm,
                normAfter: after, coefficient: coefficient, threshold: bug == .reportsStaleThreshold ? configured : c)))
    }
}

/// A stateful global-L2 clipper that counts its clips and remembers the last coefficient (for
/// its report), with one bug.
struct CorpusCountingClipper: GradientClipper {
    enum Bug: String, Sendable, CaseIterable {
        case none
        /// Keeps the smallest coefficient seen and applies it forever.
        case keepsSmallestCoefficient
        /// Applies the previous step's coefficient (one step late).
        case appliesPreviousCoefficient
        /// Keeps the smallest coefficient in a class shared by every state (survives a reset).
        case coefficientInSharedClass
    }

    struct State: Codable, Sendable {
        var clips = 0
        var coefficient = 1.0
    }

    typealias Scalar = Float
    var bug: Bug
    var maxNorm = 0.5
    let shared = SharedCoefficient()

    var guarantee: ClippingGuarantee { .globalNorm(max: maxNorm, norm: .l2) }

    func makeState(for parameters: ParameterSet<Float>) -> State { State() }

    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        let norm = updates.globalNorm(.l2)
        let current = norm > maxNorm ? maxNorm / norm : 1
        var applied = current
        switch bug {
        case .none: break
        case .keepsSmallestCoefficient: applied = min(current, state.coefficient)
        case .appliesPreviousCoefficient: applied = state.coefficient
        case .coefficientInSharedClass: applied = shared.update(current)
        }
        state.coefficient = bug == .keepsSmallestCoefficient ? applied : current
        if applied < 1 {
            updates.scale(by: Float(applied))
            state.clips += 1
        }
        context.reports.append(
            .clip(ClipReport(
                transform: "CorpusCountingClipper", fired: applied < 1, normBefore: norm, normAfter: norm * applied,
                coefficient: applied, threshold: maxNorm, detail: "\(state.clips) clips")))
    }
}

/// The smallest coefficient seen, kept outside the state.
final class SharedCoefficient: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 1.0
    func update(_ coefficient: Double) -> Double { lock.withLock { value = min(value, coefficient); return value } }
}

/// An adaptive clipper: the threshold is the p-th quantile of the last `capacity` global norms
/// (the current one included), `initial` until `minimumHistory` norms are seen. With one bug.
struct CorpusQuantileClipper: GradientClipper {
    enum Bug: String, Sendable, CaseIterable {
        case none
        /// Never appends to the history (stays at the initial threshold).
        case neverRecordsHistory
        /// Never clips and reports threshold = max(initial, ‖g‖).
        case certifiesItself
        /// The history is not encoded.
        case historyNotEncoded
        /// The ring buffer's write index is not encoded.
        case ringIndexNotEncoded
        /// Clips to the previous step's threshold but reports the current one.
        case clipsToPreviousThreshold
        /// Appends no report.
        case noReport
        /// Keeps the smallest coefficient and applies it forever.
        case keepsSmallestCoefficient
        /// Takes the maximum of the history instead of the quantile (never clips a spike).
        case quantileOfOne
    }

    struct State: Codable, Sendable {
        var history: [Double] = []
        var next = 0
        var previousThreshold: Double?
        var smallestCoefficient = 1.0
        var dropHistory = false
        var dropIndex = false

        enum CodingKeys: String, CodingKey { case history, next, previousThreshold, smallestCoefficient, dropHistory, dropIndex }

        init() {}

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            dropHistory = try container.decode(Bool.self, forKey: .dropHistory)
            dropIndex = try container.decode(Bool.self, forKey: .dropIndex)
            history = try container.decodeIfPresent([Double].self, forKey: .history) ?? []
            next = try container.decodeIfPresent(Int.self, forKey: .next) ?? 0
            previousThreshold = try container.decodeIfPresent(Double.self, forKey: .previousThreshold)
            smallestCoefficient = try container.decode(Double.self, forKey: .smallestCoefficient)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(dropHistory, forKey: .dropHistory)
            try container.encode(dropIndex, forKey: .dropIndex)
            if !dropHistory { try container.encode(history, forKey: .history) }
            if !dropIndex { try container.encode(next, forKey: .next) }
            try container.encodeIfPresent(previousThreshold, forKey: .previousThreshold)
            try container.encode(smallestCoefficient, forKey: .smallestCoefficient)
        }
    }

    typealias Scalar = Float
    var bug: Bug
    var quantile = 0.9
    var capacity = 8
    var minimumHistory = 4
    var initial = 10.0

    var guarantee: ClippingGuarantee { .adaptiveGlobalNorm(norm: .l2) }

    func makeState(for parameters: ParameterSet<Float>) -> State {
        var state = State()
        state.dropHistory = bug == .historyNotEncoded
        state.dropIndex = bug == .ringIndexNotEncoded
        return state
    }

    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        let norm = updates.globalNorm(.l2)
        guard norm.isFinite else { return }
        if bug != .neverRecordsHistory {
            if state.history.count < capacity {
                state.history.append(norm)
            } else {
                state.history[state.next % capacity] = norm
            }
            state.next = (state.next + 1) % capacity
        }
        var threshold: Double
        if state.history.count < minimumHistory {
            threshold = initial
        } else {
            let sorted = state.history.sorted()
            let q = bug == .quantileOfOne ? 1 : quantile
            let position = q * Double(sorted.count - 1)
            let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
            threshold = sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
        }
        var limit = threshold
        if bug == .clipsToPreviousThreshold { limit = state.previousThreshold ?? threshold }
        state.previousThreshold = threshold
        var coefficient = norm > limit ? limit / norm : 1
        if bug == .keepsSmallestCoefficient {
            coefficient = min(coefficient, state.smallestCoefficient)
            state.smallestCoefficient = coefficient
        }
        if bug == .certifiesItself {
            coefficient = 1
            threshold = max(initial, norm)
        }
        if coefficient < 1 { updates.scale(by: Float(coefficient)) }
        guard bug != .noReport else { return }
        context.reports.append(
            .clip(ClipReport(
                transform: "CorpusQuantileClipper", fired: coefficient < 1, normBefore: norm, normAfter: norm * coefficient,
                coefficient: coefficient, threshold: threshold)))
    }
}

/// Built-in clippers with a bug introduced by a wrapper (what a fork or a careless port does).
struct CorpusBuiltInClipperVariant<Inner: ThresholdClipper>: ThresholdClipper where Inner.Scalar == Float {
    enum Bug: String, Sendable {
        case none
        /// The threshold setter does nothing.
        case thresholdSetterIgnored
        /// Drops the inner clipper's report.
        case dropsReport
        /// The state is rebuilt on every step (no history).
        case forgetsState
        /// The state is not encoded: a decoded state is a fresh one.
        case stateNotEncoded
    }

    struct State: Codable, Sendable {
        var inner: Inner.State?
        var encodes: Bool

        init(inner: Inner.State?, encodes: Bool) {
            self.inner = inner
            self.encodes = encodes
        }

        enum CodingKeys: String, CodingKey { case inner, encodes }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            encodes = try container.decode(Bool.self, forKey: .encodes)
            inner = try container.decodeIfPresent(Inner.State.self, forKey: .inner)
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(encodes, forKey: .encodes)
            if encodes { try container.encodeIfPresent(inner, forKey: .inner) }
        }
    }

    typealias Scalar = Float
    var inner: Inner
    var bug: Bug

    init(_ inner: Inner, _ bug: Bug) {
        self.inner = inner
        self.bug = bug
    }

    var threshold: Double {
        get { inner.threshold }
        set { if bug != .thresholdSetterIgnored { inner.threshold = newValue } }
    }

    var guarantee: ClippingGuarantee { inner.guarantee }

    func makeState(for parameters: ParameterSet<Float>) -> State {
        State(inner: inner.makeState(for: parameters), encodes: bug != .stateNotEncoded)
    }

    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        var innerState = bug == .forgetsState ? inner.makeState(for: updates) : (state.inner ?? inner.makeState(for: updates))
        let reports = context.reports.count
        try inner.apply(to: &updates, state: &innerState, context: &context)
        state.inner = innerState
        if bug == .dropsReport { context.reports.removeSubrange(reports...) }
    }
}
