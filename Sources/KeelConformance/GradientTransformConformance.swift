import Foundation

/// The laws every `GradientTransform` keeps.
public enum GradientTransformLaw: String, ConformanceLaw {
    /// The output has the input's keys, in order, with the same shapes.
    case keysAndShapesPreserved
    /// Two runs from fresh states over the same samples give bit-identical outputs.
    case deterministic
    /// Applying with a copy of the state leaves the original untouched (no class-backed state).
    case valueSemantics
    /// A state encoded to JSON and decoded mid-run continues bit-identically.
    case codableRoundTrip
    /// The transform gives the same outputs alone, inside a `Chain` (before and after an identity
    /// stage, one of which appends a report) and behind `AnyGradientTransform` (whose state also
    /// round-trips through JSON).
    case compositionInvariance
    /// Finite gradients (tiny, huge, mixed scale, one-hot, zero) give finite outputs.
    case finiteInFiniteOut
    /// `apply` is a function of (state, input): applying twice from the same state gives the same
    /// output and the same next state; and a stateful transform's state changes on every apply.
    case advancesOncePerApply

    public var summary: String {
        switch self {
        case .keysAndShapesPreserved: "the output has the input's keys, order and shapes"
        case .deterministic: "the same inputs from fresh states give bit-identical outputs"
        case .valueSemantics: "copies of the state do not alias"
        case .codableRoundTrip: "a JSON round trip of the state continues identically"
        case .compositionInvariance: "alone, in a Chain and behind AnyGradientTransform give the same outputs"
        case .finiteInFiniteOut: "finite inputs give finite outputs"
        case .advancesOncePerApply: "apply is a function of (state, input) and advances a stateful state every time"
        }
    }
}

/// Checks the ``GradientTransformLaw``s for one transform.
///
/// ```swift
/// @Test(arguments: GradientTransformLaw.allCases)
/// func myTransform(law: GradientTransformLaw) throws {
///     try GradientTransformConformance(MyTransform<Float>()).check(law)
/// }
/// ```
public struct GradientTransformConformance<Transform: GradientTransform>: Sendable {
    public typealias Scalar = Transform.Scalar

    /// The transform under test.
    public var transform: Transform
    /// Its name in failures.
    public var name: String
    /// The seed of every sample the suite draws.
    public var seed: UInt64
    /// The parameters the samples are shaped like (the archetype by default).
    public var parameters: ParameterSet<Scalar>
    /// How many steps each multi-step law runs (at least 2; default 32, enough to fill histories,
    /// ring buffers and warm-ups that a 4-step run never reaches).
    public var steps: Int
    /// The typical scale (global L2 norm) of the ordinary samples; pick one where the transform
    /// does something (above a clipper's threshold, say). The samples' norms vary around it
    /// (¼× to 4×) with a 30× spike every 8 steps, so history-keeping transforms see their
    /// statistics move.
    public var sampleNorm: Double
    /// The finite samples `finiteInFiniteOut` feeds (``GradientSamples/adversarial(like:seed:)``
    /// by default).
    public var finiteSamples: [GradientSample<Scalar>]

    /// A suite for `transform`.
    ///
    /// - Parameters:
    ///   - transform: The transform under test.
    ///   - name: Its name in failures (default: its type name).
    ///   - seed: The seed of every sample (default `0x5EED`).
    ///   - parameters: The parameters the samples are shaped like (default: the archetype drawn from
    ///     `seed`).
    ///   - steps: How many steps each multi-step law runs (default 32).
    ///   - sampleNorm: The typical global L2 norm of the ordinary samples (default 3).
    /// - Precondition: `steps` ≥ 2.
    public init(
        _ transform: Transform, name: String? = nil, seed: UInt64 = 0x5EED, parameters: ParameterSet<Scalar>? = nil,
        steps: Int = 32, sampleNorm: Double = 3
    ) {
        precondition(steps >= 2, "GradientTransformConformance: steps must be at least 2, got \(steps)")
        self.transform = transform
        self.name = name ?? componentName(transform)
        self.seed = seed
        let parameters = parameters ?? GradientSamples.parameters(seed: seed)
        self.parameters = parameters
        self.steps = steps
        self.sampleNorm = sampleNorm
        self.finiteSamples = GradientSamples.adversarial(like: parameters, seed: seed)
    }

    /// Checks one law; throws a ``ConformanceFailure`` when it does not hold.
    public func check(_ law: GradientTransformLaw) throws {
        try evaluate(law).throwIfFailed()
    }

    /// One law's result: passed, failed, not applicable or not verified (logged for
    /// `check-conformance`).
    public func evaluate(_ law: GradientTransformLaw) -> LawResult {
        evaluateLaw(law, component: name, seed: seed) {
            switch law {
            case .keysAndShapesPreserved: try checkKeysAndShapes()
            case .deterministic: try checkDeterminism()
            case .valueSemantics: try checkValueSemantics()
            case .codableRoundTrip: try checkCodableRoundTrip()
            case .compositionInvariance: try checkCompositionInvariance()
            case .finiteInFiniteOut: try checkFiniteness()
            case .advancesOncePerApply: try checkAdvancesOnce()
            }
        }
    }

    /// Checks every law, throwing the first failure.
    public func checkAll() throws {
        for law in GradientTransformLaw.allCases { try check(law) }
    }

    /// Every law's result, for summaries.
    public func results() -> [LawResult] {
        GradientTransformLaw.allCases.map(evaluate)
    }

    // MARK: Samples and runs

    /// The ordinary samples: random, seeded, with global norms from ¼ to 4 × `sampleNorm` and a
    /// 30× spike at every step ≡ 5 (mod 8).
    var samples: [GradientSample<Scalar>] {
        (0..<steps).map { GradientSamples.random(like: parameters, seed: seed &+ UInt64($0), norm: sampleNorm * Self.normFactor(at: $0)) }
    }

    /// The norm of ordinary sample `step` relative to `sampleNorm`.
    static func normFactor(at step: Int) -> Double {
        step % 8 == 5 ? 30 : Foundation.pow(2, Double((step * 7) % 9 - 4) / 2)
    }

    func run<T: GradientTransform>(
        _ transform: T, _ samples: [GradientSample<Scalar>], state: inout T.State, firstStep: Int = 0
    ) throws -> [ParameterSet<Scalar>] where T.Scalar == Scalar {
        try samples.enumerated().map { offset, sample in
            var updates = sample.gradients
            var context = TransformContext(step: firstStep + offset, parameters: sample.parameters)
            try transform.apply(to: &updates, state: &state, context: &context)
            return updates
        }
    }

    func compare(_ expected: [ParameterSet<Scalar>], _ actual: [ParameterSet<Scalar>], _ what: String) throws {
        for (step, (lhs, rhs)) in zip(expected, actual).enumerated() {
            if let difference = firstDifference(lhs, rhs) {
                throw Violation("\(what) at step \(step): \(difference)")
            }
        }
    }

    // MARK: Laws

    func checkKeysAndShapes() throws {
        for sample in samples + finiteSamples {
            var state = transform.makeState(for: sample.parameters)
            let output = try run(transform, [sample], state: &state)[0]
            guard output.keys == sample.gradients.keys else {
                throw Violation(
                    "keys changed from \(sample.gradients.keys.map(\.rawValue)) to \(output.keys.map(\.rawValue))",
                    sample: sample.summary)
            }
            for index in output.indices where output.tensors[index].shape != sample.gradients.tensors[index].shape {
                throw Violation(
                    "\(output.keys[index]) changed shape from \(sample.gradients.tensors[index].shape) to \(output.tensors[index].shape)",
                    sample: sample.summary)
            }
        }
    }

    func checkDeterminism() throws {
        var first = transform.makeState(for: parameters)
        var second = transform.makeState(for: parameters)
        let a = try run(transform, samples, state: &first)
        let b = try run(transform, samples, state: &second)
        try compare(a, b, "a second run from a fresh state differs")
    }

    func checkValueSemantics() throws {
        let samples = self.samples
        var state = transform.makeState(for: parameters)
        _ = try run(transform, Array(samples.prefix(1)), state: &state)
        let original = state
        var copy = state
        let withCopy = try run(transform, Array(samples.dropFirst()), state: &copy, firstStep: 1)
        var restored = original
        let withOriginal = try run(transform, Array(samples.dropFirst()), state: &restored, firstStep: 1)
        try compare(withCopy, withOriginal, "after running a copy of the state, the original state gives other outputs")
    }

    func checkCodableRoundTrip() throws {
        let samples = self.samples
        var reference = transform.makeState(for: parameters)
        let expected = try run(transform, samples, state: &reference)
        // Round trips early, mid-run and late: a history lost in Codable shows only once it fills.
        for split in Set([1, samples.count / 4, samples.count / 2, samples.count - 1]).sorted() where split > 0 && split < samples.count {
            var state = transform.makeState(for: parameters)
            _ = try run(transform, Array(samples.prefix(split)), state: &state)
            var decoded: Transform.State
            do {
                decoded = try makeDecoder().decode(Transform.State.self, from: makeEncoder().encode(state))
            } catch {
                throw Violation("the state does not round-trip through JSON: \(error)")
            }
            let resumed = try run(transform, Array(samples.dropFirst(split)), state: &decoded, firstStep: split)
            try compare(Array(expected.dropFirst(split)), resumed, "after a JSON round trip at step \(split) the outputs differ")
        }
    }

    func checkCompositionInvariance() throws {
        let samples = self.samples
        var state = transform.makeState(for: parameters)
        let alone = try run(transform, samples, state: &state)

        let leading = Chain(ReportingIdentity<Scalar>(), transform)
        var leadingState = leading.makeState(for: parameters)
        try compare(alone, try run(leading, samples, state: &leadingState), "Chain(identity that reports, transform) differs")

        let trailing = Chain(transform, IdentityTransform<Scalar>())
        var trailingState = trailing.makeState(for: parameters)
        try compare(alone, try run(trailing, samples, state: &trailingState), "Chain(transform, Identity) differs")

        let erased = AnyGradientTransform(transform)
        var erasedState = erased.makeState(for: parameters)
        let split = samples.count / 2
        var erasedOutputs = try run(erased, Array(samples.prefix(split)), state: &erasedState)
        do {
            erasedState = try erased.decodeState(from: makeEncoder().encode(erasedState), using: makeDecoder())
        } catch {
            throw Violation("AnyGradientTransform's state does not round-trip through JSON: \(error)")
        }
        erasedOutputs += try run(erased, Array(samples.dropFirst(split)), state: &erasedState, firstStep: split)
        try compare(alone, erasedOutputs, "AnyGradientTransform (with a JSON round trip of its state) differs")
    }

    func checkFiniteness() throws {
        for sample in finiteSamples {
            // Fresh, and after the ordinary samples have shaped the state.
            for warm in [false, true] {
                var state = transform.makeState(for: sample.parameters)
                if warm { _ = try run(transform, samples, state: &state) }
                let output = try run(transform, [sample], state: &state, firstStep: warm ? samples.count : 0)[0]
                if let key = output.firstNonFiniteKey {
                    let failing = try shrinkSample(sample) { candidate in
                        var state = transform.makeState(for: candidate.parameters)
                        return try run(transform, [candidate], state: &state)[0].nonFiniteCount > 0
                    }
                    throw Violation(
                        "a finite input gave a non-finite output in \(key)\(warm ? " after \(samples.count) ordinary steps" : "")",
                        sample: failing.summary)
                }
            }
        }
    }

    func checkAdvancesOnce() throws {
        let samples = self.samples
        var state = transform.makeState(for: parameters)
        let fresh = try encodedState(state)
        var changedEveryTime = true
        var unchangedAt: Int?
        for (step, sample) in samples.enumerated() {
            let before = state
            var first = before, second = before
            let a = try run(transform, [sample], state: &first, firstStep: step)
            let b = try run(transform, [sample], state: &second, firstStep: step)
            try compare(a, b, "applying twice from the same state at step \(step) gave different outputs (hidden state outside State?)")
            guard try encodedState(first) == encodedState(second) else {
                throw Violation("applying twice from the same state at step \(step) gave different next states")
            }
            if try encodedState(first) == encodedState(before) {
                changedEveryTime = false
                unchangedAt = unchangedAt ?? step
            }
            state = first
        }
        let isStateful = try encodedState(state) != fresh
        if isStateful && !changedEveryTime {
            throw Violation(
                "the state is stateful (it changed over \(samples.count) steps) but did not advance at step \(unchangedAt!)")
        }
    }

    func encodedState<S: Encodable>(_ state: S) throws -> Data {
        try makeEncoder().encode(state)
    }
}

/// Shrinks a failing sample: the smallest single-parameter sample that still fails, else the
/// sample itself.
func shrinkSample<Scalar>(
    _ sample: GradientSample<Scalar>, stillFails: (GradientSample<Scalar>) throws -> Bool
) rethrows -> GradientSample<Scalar> {
    guard sample.gradients.count > 1 else { return sample }
    let order = sample.gradients.indices.sorted { sample.gradients.tensors[$0].scalarCount < sample.gradients.tensors[$1].scalarCount }
    for index in order {
        let key = sample.gradients.keys[index]
        let candidate = sample.filter { $0 == key }
        if try stillFails(candidate) { return candidate }
    }
    return sample
}

/// JSON coders that keep NaN and ±∞ (a state may legitimately hold them) and sort keys.
func makeEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
}

func makeDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
}

/// An identity stage that appends a report: a transform inside a chain must not behave
/// differently because an earlier stage reported.
struct ReportingIdentity<Scalar: TensorScalar>: GradientTransform {
    typealias State = EmptyTransformState

    func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws {
        context.reports.append(.note(TransformNote(transform: "ReportingIdentity", fired: false)))
    }
}
