import Foundation

/// The laws a `GradientClipper` keeps, in addition to the ``GradientTransformLaw``s.
///
/// Bounds are sampled around the declared bound (0.5, 0.9 and 0.999 × below it; 1.001, 1.01,
/// 1.1, 1.5 and 10 × above it) at the configured threshold and, for a `ThresholdClipper`, at
/// thresholds 0.1, 0.5, 1 and 7.3; stateful clippers are re-checked after a spike, after a reset
/// (a new state) and after a `Codable` round trip.
public enum GradientClipperLaw: String, ConformanceLaw {
    /// Below its bound the clipper is a bit-identical identity (no multiplication by a rounded 1),
    /// also after a spike, after a reset and after a JSON round trip of its state.
    case identityBelowBound
    /// The declared `ClippingGuarantee` holds on adversarial samples and just above the bound, at
    /// several thresholds, fresh and after a spike; adaptive bounds against the step's reported
    /// threshold.
    case guaranteeHolds
    /// Clipping twice is clipping once (stateless clippers; not applicable to stateful ones).
    case idempotent
    /// Norm clippers scale (per tensor, per unit or globally) by a factor in (0, 1]: the direction
    /// is preserved (not applicable to elementwise and second-moment clippers).
    case preservesDirection
    /// A zero gradient stays exactly zero (never NaN), fresh and after warm-up.
    case zeroStaysZero
    /// The clipper reads the gradients it is given, not statistics left from an earlier step:
    /// after sample A, sample B's output equals B's output from a fresh state (stateless clippers),
    /// and keeps the guarantee and B's direction (all clippers).
    case readsCurrentGradients
    /// Every apply appends exactly one clip report whose numbers agree with what the clipper did:
    /// `fired` ⇔ the output differs, `normBefore`/`normAfter` are the input's and output's norms
    /// (in the guarantee's units), a `coefficient` is output/input, a fixed bound's `threshold` is
    /// the declared bound.
    case reportsWhatItDid
    /// A `ThresholdClipper`'s `threshold` setter is honoured: it reads back, moves the declared
    /// bound and the reported threshold, and the clipper clips to it (not applicable to other
    /// clippers).
    case thresholdHonoured
    /// An adaptive clipper's bound follows its own history: after warm-up at one scale a 1000×
    /// spike is at least halved, after warm-up at a 1000× larger scale a sample at a
    /// tenth of it passes untouched, and a JSON round trip of the warmed-up state changes neither
    /// (not applicable to fixed bounds).
    case adaptiveBoundFollowsHistory

    public var summary: String {
        switch self {
        case .identityBelowBound: "bit-identical identity below the bound (also after a spike, a reset, a round trip)"
        case .guaranteeHolds: "the declared guarantee holds, sampled around the bound at several thresholds"
        case .idempotent: "clipping twice equals clipping once"
        case .preservesDirection: "norm clippers only rescale"
        case .zeroStaysZero: "zero stays zero"
        case .readsCurrentGradients: "the current gradients decide, not stale statistics"
        case .reportsWhatItDid: "one clip report per step that agrees with the output"
        case .thresholdHonoured: "a settable threshold is honoured"
        case .adaptiveBoundFollowsHistory: "an adaptive bound follows the clipper's own history"
        }
    }
}

/// A clipper state that exposes its running second moment, so the suite can check
/// `ClippingGuarantee/secondMomentRatio(theta:)` against the moment in force before a step.
public protocol SecondMomentClipperState {
    associatedtype Scalar: TensorScalar
    /// V, shaped like the parameters.
    var secondMoment: ParameterSet<Scalar> { get }
}

extension SpikeClipperState: SecondMomentClipperState {}

/// Checks the ``GradientClipperLaw``s (and, with `checkAll()`, the ``GradientTransformLaw``s)
/// for one clipper.
///
/// ```swift
/// @Test(arguments: GradientClipperLaw.allCases)
/// func softClipper(law: GradientClipperLaw) throws {
///     try GradientClipperConformance(SoftClipper<Float>(maxNorm: 1)).check(law)
/// }
/// ```
///
/// Adaptive clippers (whose bound depends on history) are first warmed up with `warmupSteps`
/// ordinary samples (random, global L2 norm 1) before each adversarial sample.
public struct GradientClipperConformance<Clipper: GradientClipper>: Sendable {
    public typealias Scalar = Clipper.Scalar

    /// The clipper under test.
    public var clipper: Clipper
    /// Its name in failures.
    public var name: String
    /// The seed of every sample.
    public var seed: UInt64
    /// The parameters the samples are shaped like (the archetype by default).
    public var parameters: ParameterSet<Scalar>
    /// Ordinary steps run before each check of a stateful clipper.
    public var warmupSteps: Int
    /// The unit layout used to check `ClippingGuarantee/unitwiseRatio(clipping:epsilon:)`
    /// (`UnitLayout/default(for:)` unless your clipper declares another).
    public var unitLayout: @Sendable (ParameterKey, [Int]) -> UnitLayout
    /// The adversarial samples (``GradientSamples/adversarial(like:seed:)`` by default).
    public var adversarialSamples: [GradientSample<Scalar>]

    /// A suite for `clipper`.
    ///
    /// - Parameters:
    ///   - clipper: The clipper under test.
    ///   - name: Its name in failures (default: its type name).
    ///   - seed: The seed of every sample (default `0x5EED`).
    ///   - parameters: The parameters the samples are shaped like (default: the archetype drawn from
    ///     `seed`).
    ///   - warmupSteps: Ordinary steps run before each check of a stateful clipper (default 32).
    ///   - steps: How many steps the transform laws run (default 32).
    ///   - adaptiveCeiling: A fixed ceiling on an adaptive bound, if the clipper has one.
    ///   - unitLayout: The unit layout for unitwise guarantees (default `UnitLayout.default(for:)`).
    public init(
        _ clipper: Clipper, name: String? = nil, seed: UInt64 = 0x5EED, parameters: ParameterSet<Scalar>? = nil,
        warmupSteps: Int = 32, steps: Int = 32, adaptiveCeiling: Double? = nil,
        unitLayout: @escaping @Sendable (ParameterKey, [Int]) -> UnitLayout = { UnitLayout.default(for: $1) }
    ) {
        self.clipper = clipper
        self.name = name ?? componentName(clipper)
        self.seed = seed
        let parameters = parameters ?? GradientSamples.parameters(seed: seed)
        self.parameters = parameters
        self.warmupSteps = warmupSteps
        self.steps = steps
        self.adaptiveCeiling = adaptiveCeiling
        self.unitLayout = unitLayout
        self.adversarialSamples = GradientSamples.adversarial(like: parameters, seed: seed)
    }

    /// How many steps the transform laws run (default 32).
    public var steps: Int
    /// A fixed ceiling an adaptive clipper's bound never exceeds (ZClip's `maxGradNorm`), if it
    /// has one: ``GradientClipperLaw/adaptiveBoundFollowsHistory`` then builds its loud history
    /// below the ceiling.
    public var adaptiveCeiling: Double?

    /// The transform suite for the same clipper and samples.
    public var transformSuite: GradientTransformConformance<Clipper> {
        GradientTransformConformance(clipper, name: name, seed: seed, parameters: parameters, steps: steps, sampleNorm: 10)
    }

    /// Checks one clipper law; throws a ``ConformanceFailure`` when it does not hold.
    public func check(_ law: GradientClipperLaw) throws {
        try evaluate(law).throwIfFailed()
    }

    /// One law's result: passed, failed, not applicable or not verified (logged for
    /// `check-conformance`).
    public func evaluate(_ law: GradientClipperLaw) -> LawResult {
        evaluateLaw(law, component: name, seed: seed) {
            switch law {
            case .identityBelowBound: try checkIdentityBelowBound()
            case .guaranteeHolds: try checkGuarantee()
            case .idempotent: try checkIdempotence()
            case .preservesDirection: try checkDirection()
            case .zeroStaysZero: try checkZero()
            case .readsCurrentGradients: try checkReadsCurrentGradients()
            case .reportsWhatItDid: try checkReports()
            case .thresholdHonoured: try checkThresholdHonoured()
            case .adaptiveBoundFollowsHistory: try checkAdaptiveHistory()
            }
        }
    }

    /// Checks one transform law on the clipper.
    public func check(_ law: GradientTransformLaw) throws {
        try transformSuite.check(law)
    }

    /// Checks every clipper law and every transform law, throwing the first failure.
    public func checkAll() throws {
        for law in GradientClipperLaw.allCases { try check(law) }
        try transformSuite.checkAll()
    }

    /// Every clipper and transform law's result, for summaries.
    public func results() -> [LawResult] {
        GradientClipperLaw.allCases.map(evaluate) + transformSuite.results()
    }

    // MARK: Running

    struct Outcome {
        var output: ParameterSet<Scalar>
        var report: TransformReport?
        var stateBefore: Clipper.State
    }

    /// Whether the clipper's bound depends on its history.
    var isAdaptive: Bool {
        switch clipper.guarantee {
        case .adaptiveGlobalNorm, .secondMomentRatio: true
        default: false
        }
    }

    /// Applies the clipper to `sample` after `warmup` ordinary steps from a fresh state (or from `state`).
    func clip(
        _ sample: GradientSample<Scalar>, warmup: Int? = nil, state: inout Clipper.State
    ) throws -> Outcome {
        let warmup = warmup ?? (isAdaptive ? warmupSteps : 0)
        for step in 0..<warmup {
            var updates = GradientSamples.random(like: sample.parameters, seed: seed &+ 1000 &+ UInt64(step)).gradients
            var context = TransformContext(step: step, parameters: sample.parameters)
            try clipper.apply(to: &updates, state: &state, context: &context)
        }
        let before = state
        var updates = sample.gradients
        var context = TransformContext(step: warmup, parameters: sample.parameters)
        try clipper.apply(to: &updates, state: &state, context: &context)
        return Outcome(output: updates, report: context.reports.last, stateBefore: before)
    }

    func clipFresh(_ sample: GradientSample<Scalar>, warmup: Int? = nil) throws -> Outcome {
        var state = clipper.makeState(for: sample.parameters)
        return try clip(sample, warmup: warmup, state: &state)
    }

    /// Whether the clipper keeps no state: its encoded state never changes over a few steps.
    func isStateless() throws -> Bool {
        if Clipper.State.self == EmptyTransformState.self { return true }
        var state = clipper.makeState(for: parameters)
        let fresh = try makeEncoder().encode(state)
        for step in 0..<4 {
            var updates = GradientSamples.random(like: parameters, seed: seed &+ UInt64(step), norm: 10).gradients
            var context = TransformContext(step: step, parameters: parameters)
            try clipper.apply(to: &updates, state: &state, context: &context)
        }
        return try makeEncoder().encode(state) == fresh
    }

    /// The largest ratio of a constrained quantity to its bound: > 1 means the guarantee is
    /// violated, < 1 means the sample is below the bound. Nil for adaptive guarantees.
    func boundRatio(of gradients: ParameterSet<Scalar>, parameters: ParameterSet<Scalar>) -> Double? {
        func ratio(_ value: Double, _ bound: Double) -> Double {
            bound > 0 ? value / bound : (value > 0 ? .infinity : 0)
        }
        switch clipper.guarantee {
        case .globalNorm(let max, let norm):
            return ratio(gradients.globalNorm(norm), max)
        case .elementwise(let max):
            return ratio(gradients.tensors.map { Double($0.lInfinityNorm()) }.max() ?? 0, max)
        case .perTensorNorm(let max):
            return gradients.tensors.map { ratio($0.sumOfSquares().squareRoot(), max) }.max() ?? 0
        case .perTensorRMS(let max):
            return gradients.tensors.map { ratio(($0.sumOfSquares() / Double(Swift.max($0.scalarCount, 1))).squareRoot(), max) }.max() ?? 0
        case .unitwiseRatio(let clipping, let epsilon):
            var worst = 0.0
            for index in gradients.indices {
                let key = gradients.keys[index]
                let gradientNorms = unitNorms(gradients.tensors[index], layout: unitLayout(key, gradients.tensors[index].shape))
                let weightNorms = unitNorms(parameters[key], layout: unitLayout(key, gradients.tensors[index].shape))
                for (g, w) in zip(gradientNorms, weightNorms) { worst = Swift.max(worst, ratio(g, clipping * Swift.max(w, epsilon))) }
            }
            return worst
        case .adaptiveGlobalNorm, .secondMomentRatio:
            return nil
        }
    }

    // MARK: Laws

    /// The factors of the bound the below-bound and above-bound samples are scaled to.
    static var belowBound: [Double] { [0.5, 0.9, 0.999] }
    static var aboveBound: [Double] { [1.001, 1.01, 1.1, 1.5, 10] }
    /// The thresholds a ``ThresholdClipper`` is also checked at.
    static var sampledThresholds: [Double] { [0.1, 0.5, 1, 7.3] }

    /// The clipper with its threshold set to `threshold`, when it is a ``ThresholdClipper``.
    func clipper(withThreshold threshold: Double) -> Clipper? {
        guard var settable = clipper as? any ThresholdClipper else { return nil }
        settable.threshold = threshold
        return settable as? Clipper
    }

    /// This suite at the configured threshold and, for a ``ThresholdClipper``, at each sampled one.
    var thresholdVariants: [(label: String, suite: Self)] {
        var variants = [(label: "the configured threshold", suite: self)]
        for threshold in Self.sampledThresholds {
            guard let variant = clipper(withThreshold: threshold) else { break }
            var suite = self
            suite.clipper = variant
            variants.append((label: "threshold \(threshold)", suite: suite))
        }
        return variants
    }

    /// `base` scaled so that its bound ratio is `factor` (nil for adaptive bounds or zero samples).
    func scaledToBound(_ base: GradientSample<Scalar>, factor: Double) -> GradientSample<Scalar>? {
        guard let ratio = boundRatio(of: base.gradients, parameters: base.parameters), ratio > 0, ratio.isFinite else { return nil }
        let sample = base.scaled(by: factor / ratio, name: base.name + ", scaled to \(factor)× the bound")
        return sample.gradients.nonFiniteCount == 0 ? sample : nil
    }

    /// Ordinary warm-up gradients at `scale` (global L2 norms from scale/2 to 2·scale).
    func ordinary(_ step: Int, scale: Double = 1, seed offset: UInt64 = 1000) -> ParameterSet<Scalar> {
        let factor = Foundation.pow(2, Double((step * 3) % 5 - 2) / 2)
        return GradientSamples.random(like: parameters, seed: seed &+ offset &+ UInt64(step), norm: scale * factor).gradients
    }

    /// Applies the clipper to `gradients` at `step`, returning the output and the reports it appended.
    func applyOnce(
        _ gradients: ParameterSet<Scalar>, state: inout Clipper.State, step: Int, parameters: ParameterSet<Scalar>? = nil
    ) throws -> (output: ParameterSet<Scalar>, reports: [TransformReport]) {
        var updates = gradients
        var context = TransformContext(step: step, parameters: parameters ?? self.parameters)
        try clipper.apply(to: &updates, state: &state, context: &context)
        return (updates, context.reports)
    }

    /// A state that has seen `warmupSteps` ordinary steps, a spike (100× the bound, or 1000× the
    /// warm-up scale) and a few ordinary steps after it.
    func stateAfterSpike() throws -> Clipper.State {
        var state = clipper.makeState(for: parameters)
        var step = 0
        for _ in 0..<warmupSteps {
            _ = try applyOnce(ordinary(step), state: &state, step: step)
            step += 1
        }
        let spikeBase = GradientSamples.random(like: parameters, seed: seed &+ 77)
        let spike = scaledToBound(spikeBase, factor: 100)?.gradients ?? spikeBase.scaled(by: 1000).gradients
        _ = try applyOnce(spike, state: &state, step: step)
        step += 1
        for _ in 0..<3 {
            _ = try applyOnce(ordinary(step), state: &state, step: step)
            step += 1
        }
        return state
    }

    func checkIdentityBelowBound() throws {
        for variant in thresholdVariants {
            try variant.suite.checkIdentityBelowBoundFresh(variant.label)
        }
        guard try !isStateless() else { return }
        // Stateful: re-checked after a spike, after a reset (a new state, while the old one was
        // used) and after a JSON round trip of the spiked state.
        let spiked = try stateAfterSpike()
        let decoded: Clipper.State
        do {
            decoded = try makeDecoder().decode(Clipper.State.self, from: makeEncoder().encode(spiked))
        } catch {
            throw Violation("the clipper's state does not round-trip through JSON: \(error)")
        }
        var reset = clipper.makeState(for: parameters)
        if isAdaptive {
            // A fresh state needs the warm-up again before "below the bound" means anything.
            for step in 0..<warmupSteps { _ = try applyOnce(ordinary(step), state: &reset, step: step) }
        }
        for (label, state) in [("after a spike", spiked), ("after a reset", reset), ("after a JSON round trip", decoded)] {
            let below: [GradientSample<Scalar>]
            if isAdaptive {
                // A quarter of the smallest warm-up norm is below any bound learned from them.
                below = (0..<3).map {
                    GradientSample(
                        name: "ordinary sample at ⅛ of the warm-up scale", parameters: parameters,
                        gradients: GradientSamples.random(like: parameters, seed: seed &+ 600 &+ UInt64($0), norm: 0.125).gradients)
                }
            } else {
                below = (0..<3).compactMap { scaledToBound(GradientSamples.random(like: parameters, seed: seed &+ 600 &+ UInt64($0)), factor: 0.5) }
            }
            for sample in below {
                var copy = state
                let output = try applyOnce(sample.gradients, state: &copy, step: warmupSteps + 10).output
                if let difference = firstDifference(output, sample.gradients) {
                    throw Violation("\(label), below the bound the output is not the input: \(difference)", sample: sample.summary)
                }
            }
        }
    }

    func checkIdentityBelowBoundFresh(_ label: String) throws {
        let bases = (0..<3).map { GradientSamples.random(like: parameters, seed: seed &+ 100 &+ UInt64($0)) }
            + adversarialSamples.filter { $0.gradients.globalNorm(.l2) > 0 }
        for base in bases {
            guard boundRatio(of: base.gradients, parameters: base.parameters) != nil else {
                // Adaptive bound: warm up on the sample itself, then feed half of it.
                var state = clipper.makeState(for: base.parameters)
                var lastFired = false
                for step in 0..<warmupSteps {
                    var updates = base.gradients
                    var context = TransformContext(step: step, parameters: base.parameters)
                    try clipper.apply(to: &updates, state: &state, context: &context)
                    lastFired = context.reports.last?.fired ?? (firstDifference(updates, base.gradients) != nil)
                }
                // A sample the clipper still clips after seeing it many times is above a fixed
                // ceiling, not below the adaptive bound.
                if lastFired { continue }
                let half = base.scaled(by: 0.5, name: base.name + ", halved after \(warmupSteps) steps of it")
                let outcome = try clip(half, warmup: 0, state: &state)
                if let difference = firstDifference(outcome.output, half.gradients) {
                    throw Violation("below the adaptive bound the output differs from the input: \(difference)", sample: half.summary)
                }
                continue
            }
            for factor in Self.belowBound {
                guard let below = scaledToBound(base, factor: factor) else { continue }
                let outcome = try clipFresh(below, warmup: 0)
                if firstDifference(outcome.output, below.gradients) != nil {
                    let smallest = try shrinkSample(below) { candidate in
                        try firstDifference(clipFresh(candidate, warmup: 0).output, candidate.gradients) != nil
                    }
                    let difference = try firstDifference(clipFresh(smallest, warmup: 0).output, smallest.gradients) ?? ""
                    throw Violation(
                        "at \(label), \(factor)× the bound, the output is not the input bit for bit: \(difference)",
                        sample: smallest.summary)
                }
            }
        }
    }

    func guaranteeViolation(_ outcome: Outcome, sample: GradientSample<Scalar>) -> String? {
        let slack = 1 + roundingSlack(Scalar.self)
        let output = outcome.output
        guard output.nonFiniteCount == 0 else { return "the output holds NaN or ±∞ in \(output.firstNonFiniteKey!)" }
        switch clipper.guarantee {
        case .adaptiveGlobalNorm(let norm):
            guard let report = outcome.report?.clip else { return "no clip report: the adaptive bound cannot be checked" }
            guard let threshold = report.threshold else {
                return report.fired ? "it clipped without reporting the threshold it clipped to" : nil
            }
            let measured = output.globalNorm(norm)
            return measured <= threshold * slack ? nil : "‖g‖ = \(measured) exceeds the step's threshold \(threshold)"
        case .secondMomentRatio(let theta):
            guard let moment = (outcome.stateBefore as? any SecondMomentClipperState).map({ secondMoment(of: $0) }) else {
                return "cannot check secondMomentRatio: the state \(Clipper.State.self) does not conform to SecondMomentClipperState"
            }
            for index in output.indices {
                let g = output.tensors[index].scalars, v = moment.tensors[index].scalars
                for element in g.indices where v[element] > 0 {
                    let square = Double(g[element]) * Double(g[element])
                    if square > theta * Double(v[element]) * slack * slack {
                        return "\(output.keys[index])[\(element)]: g² = \(square) exceeds θ·V = \(theta * Double(v[element]))"
                    }
                }
            }
            return nil
        default:
            let ratio = boundRatio(of: output, parameters: sample.parameters) ?? 0
            return ratio <= slack ? nil : "the output exceeds \(clipper.guarantee) by a factor \(ratio)"
        }
    }

    func secondMoment<S: SecondMomentClipperState>(of state: S) -> ParameterSet<Scalar> {
        var result = ParameterSet<Scalar>()
        for (key, tensor) in zip(state.secondMoment.keys, state.secondMoment.tensors) {
            result.append(Tensor(shape: tensor.shape, scalars: tensor.scalars.map { Scalar(Double($0)) }), for: key)
        }
        return result
    }

    func checkGuarantee() throws {
        for variant in thresholdVariants {
            try variant.suite.checkGuaranteeFresh(variant.label)
        }
        // After a spike, just above the bound (fixed bounds) or on the adversarial samples.
        guard try !isStateless() else { return }
        let spiked = try stateAfterSpike()
        var samples = adversarialSamples.filter { $0.gradients.globalNorm(.l2) > 0 }
        for factor in Self.aboveBound {
            if let sample = scaledToBound(GradientSamples.random(like: parameters, seed: seed &+ 700), factor: factor) { samples.append(sample) }
        }
        for sample in samples {
            var state = spiked
            let before = state
            let (output, reports) = try applyOnce(sample.gradients, state: &state, step: warmupSteps + 10, parameters: sample.parameters)
            let outcome = Outcome(output: output, report: reports.last, stateBefore: before)
            if let problem = guaranteeViolation(outcome, sample: sample) {
                throw Violation("after a spike, \(problem) on \(sample.name)", sample: sample.summary)
            }
        }
    }

    func checkGuaranteeFresh(_ label: String) throws {
        var samples = adversarialSamples
        samples.append(GradientSamples.random(like: parameters, seed: seed &+ 200, norm: 1e6))
        for index in 0..<3 {
            let base = GradientSamples.random(like: parameters, seed: seed &+ 210 &+ UInt64(index))
            for factor in Self.aboveBound {
                if let sample = scaledToBound(base, factor: factor) { samples.append(sample) }
            }
        }
        for sample in samples {
            let outcome = try clipFresh(sample)
            if let problem = guaranteeViolation(outcome, sample: sample) {
                let smallest = try shrinkSample(sample) { candidate in
                    try guaranteeViolation(clipFresh(candidate), sample: candidate) != nil
                }
                throw Violation("at \(label): \(problem) on \(sample.name)", sample: smallest.summary)
            }
        }
    }

    func checkIdempotence() throws {
        guard try isStateless() else { throw LawEnding.notApplicable("stateful clipper") }
        for sample in adversarialSamples + [GradientSamples.random(like: parameters, seed: seed &+ 300, norm: 100)] {
            let once = try clipFresh(sample, warmup: 0).output
            let twiceSample = GradientSample(name: sample.name + ", clipped once", parameters: sample.parameters, gradients: once)
            let twice = try clipFresh(twiceSample, warmup: 0).output
            if let difference = firstApproximateDifference(once, twice, relative: roundingSlack(Scalar.self)) {
                throw Violation("clipping the clipped output changed it again: \(difference)", sample: sample.summary)
            }
        }
    }

    /// Nil when `output` is `input` times one factor in (0, 1] per group (tensor, unit or set).
    func directionViolation(input: ParameterSet<Scalar>, output: ParameterSet<Scalar>) -> String? {
        let grouping: DirectionGrouping
        switch clipper.guarantee {
        case .globalNorm, .adaptiveGlobalNorm: grouping = .global
        case .perTensorNorm, .perTensorRMS: grouping = .perTensor
        case .unitwiseRatio: grouping = .perUnit
        case .elementwise, .secondMomentRatio: return nil
        }
        if input.globalNorm(.l2) > 0 && output.globalNorm(.l2) == 0 { return "a non-zero input became zero" }
        let tolerance = 64 * Double(Scalar.ulpOfOne)
        var globalFactor: Double?
        for index in input.indices {
            let key = input.keys[index]
            let x = input.tensors[index].scalars.map { Double($0) }, y = output.tensors[index].scalars.map { Double($0) }
            let units: [[Int]]
            switch grouping {
            case .global, .perTensor: units = [Array(x.indices)]
            case .perUnit: units = unitIndices(shape: input.tensors[index].shape, layout: unitLayout(key, input.tensors[index].shape))
            }
            for unit in units {
                var factor = grouping == .global ? globalFactor : nil
                // Elements whose output is near the subnormal range carry no usable ratio (they
                // may underflow to 0); they must only keep their sign and not grow.
                let usable = Double(Scalar.leastNormalMagnitude) * 1e3
                for element in unit {
                    let a = x[element], b = y[element]
                    if a == 0 {
                        if b != 0 { return "\(key)[\(element)]: 0 became \(b)" }
                        continue
                    }
                    if Swift.abs(b) < usable {
                        guard b == 0 || (b > 0) == (a > 0), Swift.abs(b) <= Swift.abs(a) else {
                            return "\(key)[\(element)]: \(a) became \(b): the direction changed"
                        }
                        continue
                    }
                    let ratio = b / a
                    guard ratio > 0, ratio <= 1 + tolerance else {
                        return "\(key)[\(element)]: \(a) became \(b), a factor \(ratio) outside (0, 1]"
                    }
                    if let expected = factor {
                        if Swift.abs(ratio - expected) > tolerance * expected {
                            return "\(key)[\(element)]: scaled by \(ratio), other elements by \(expected): the direction changed"
                        }
                    } else {
                        factor = ratio
                    }
                }
                if grouping == .global { globalFactor = factor }
            }
        }
        return nil
    }

    func checkDirection() throws {
        switch clipper.guarantee {
        case .elementwise, .secondMomentRatio: throw LawEnding.notApplicable("\(clipper.guarantee) clips elementwise")
        default: break
        }
        let samples = adversarialSamples + (0..<3).map { GradientSamples.random(like: parameters, seed: seed &+ 400 &+ UInt64($0), norm: 50) }
        for sample in samples {
            let outcome = try clipFresh(sample)
            if let problem = directionViolation(input: sample.gradients, output: outcome.output) {
                let smallest = try shrinkSample(sample) { candidate in
                    try directionViolation(input: candidate.gradients, output: clipFresh(candidate).output) != nil
                }
                throw Violation(problem + " on \(sample.name)", sample: smallest.summary)
            }
        }
    }

    func checkZero() throws {
        let zero = GradientSample(name: "zero", parameters: parameters, gradients: parameters.zerosLike())
        for warmup in [0, warmupSteps] {
            let output = try clipFresh(zero, warmup: warmup).output
            for index in output.indices {
                if let element = output.tensors[index].scalars.firstIndex(where: { $0 != 0 }) {
                    throw Violation(
                        "a zero gradient became \(Double(output.tensors[index].scalars[element])) at \(output.keys[index])[\(element)]"
                            + (warmup > 0 ? " after \(warmup) warm-up steps" : ""),
                        sample: zero.summary)
                }
            }
        }
    }

    func checkReadsCurrentGradients() throws {
        let first = GradientSamples.random(like: parameters, seed: seed &+ 500, norm: 10)
        let second = GradientSamples.random(like: parameters, seed: seed &+ 501, norm: 1e4)
        var state = clipper.makeState(for: parameters)
        _ = try clip(first, state: &state)
        let afterFirst = try clip(second, warmup: 0, state: &state)
        if try isStateless() {
            let fresh = try clipFresh(second, warmup: 0)
            if let difference = firstDifference(afterFirst.output, fresh.output) {
                throw Violation(
                    "after another sample, the output for B differs from B's output from a fresh state: \(difference)",
                    sample: second.summary)
            }
        }
        if let problem = guaranteeViolation(afterFirst, sample: second) {
            throw Violation("after sample A (‖g‖₂ = 10), sample B (‖g‖₂ = 1e4): \(problem)", sample: second.summary)
        }
        if let problem = directionViolation(input: second.gradients, output: afterFirst.output) {
            throw Violation("after sample A, sample B: \(problem)", sample: second.summary)
        }
    }
    // MARK: Reports, thresholds, history

    /// The norm a report's `normBefore`/`normAfter` is measured in, for the declared guarantee.
    func reportedNorm(_ gradients: ParameterSet<Scalar>) -> Double {
        switch clipper.guarantee {
        case .globalNorm(_, let norm), .adaptiveGlobalNorm(let norm): gradients.globalNorm(norm)
        case .elementwise: gradients.globalNorm(.infinity)
        default: gradients.globalNorm(.l2)
        }
    }

    /// The fixed bound the guarantee declares (nil for adaptive guarantees).
    var declaredBound: Double? {
        switch clipper.guarantee {
        case .globalNorm(let max, _), .elementwise(let max), .perTensorNorm(let max), .perTensorRMS(let max): max
        case .unitwiseRatio(let clipping, _): clipping
        case .secondMomentRatio(let theta): theta
        case .adaptiveGlobalNorm: nil
        }
    }

    /// What is wrong with the reports of one apply that turned `input` into `output`, if anything.
    func reportProblem(_ reports: [TransformReport], input: ParameterSet<Scalar>, output: ParameterSet<Scalar>) -> String? {
        let clips = reports.compactMap(\.clip)
        guard clips.count == 1, let report = clips.first else {
            return "the step appended \(clips.count) clip reports, expected exactly one"
        }
        let changed = firstDifference(output, input) != nil
        // Norms whose squares underflow in the clipper's own scalar type carry no digits.
        let underflow = Double(Scalar.leastNormalMagnitude).squareRoot() * Double(Swift.max(input.scalarCount, 1)).squareRoot()
        func close(_ a: Double, _ b: Double) -> Bool {
            a == b || Swift.abs(a - b) <= 1e-4 * Swift.max(Swift.abs(a), Swift.abs(b)) || Swift.max(Swift.abs(a), Swift.abs(b)) < underflow
        }
        if changed && !report.fired {
            return "the report says fired = false but the output differs from the input"
        }
        // Fired without a visible change is allowed only when the coefficient rounds to 1 in the
        // scalar type (a norm within rounding of the threshold).
        if report.fired && !changed && !(report.coefficient.map { Scalar($0) == 1 } ?? false)
            && !(report.threshold.map { close(report.normBefore, $0) } ?? false) {
            return "the report says fired = true but the output equals the input"
        }
        let before = reportedNorm(input), after = reportedNorm(output)
        if !close(report.normBefore, before) { return "the report's normBefore is \(report.normBefore), the input's norm is \(before)" }
        if !close(report.normAfter, after) { return "the report's normAfter is \(report.normAfter), the output's norm is \(after)" }
        if let coefficient = report.coefficient {
            if changed ? !close(after, coefficient * before) : Scalar(coefficient) != 1 {
                return "the report's coefficient \(coefficient) does not take the norm \(before) to \(after)"
            }
        }
        if let bound = declaredBound {
            if let threshold = report.threshold, !close(threshold, bound) {
                return "the report's threshold \(threshold) is not the declared bound \(bound)"
            }
        } else if let threshold = report.threshold {
            if report.fired && !close(report.normAfter, threshold) && report.normAfter > threshold {
                return "it clipped to \(report.normAfter), above the threshold \(threshold) it reports"
            }
            if !report.fired && report.normBefore > threshold * (1 + roundingSlack(Scalar.self)) {
                return "the norm \(report.normBefore) is above the reported threshold \(threshold) but nothing was clipped"
            }
        } else if report.fired {
            return "it clipped without reporting the threshold it clipped to"
        }
        if case .globalNorm = clipper.guarantee, report.fired, report.coefficient != nil, let threshold = report.threshold,
            !close(report.normAfter, threshold) {
            return "a uniform global clip landed at \(report.normAfter), not at the threshold \(threshold)"
        }
        if case .adaptiveGlobalNorm = clipper.guarantee, report.fired, report.coefficient != nil, let threshold = report.threshold,
            !close(report.normAfter, threshold) {
            return "a uniform global clip landed at \(report.normAfter), not at the threshold \(threshold) it reports"
        }
        return nil
    }

    func checkReports() throws {
        for variant in thresholdVariants {
            let suite = variant.suite
            // Every step of a run: warm-up, adversarial samples, around the bound, a spike.
            var inputs: [(String, ParameterSet<Scalar>)] = (0..<warmupSteps).map { ("ordinary step \($0)", suite.ordinary($0)) }
            inputs += adversarialSamples.filter { $0.gradients.globalNorm(.l2) > 0 }.map { ($0.name, $0.gradients) }
            for factor in Self.belowBound + Self.aboveBound {
                if let sample = suite.scaledToBound(GradientSamples.random(like: parameters, seed: seed &+ 800), factor: factor) {
                    inputs.append((sample.name, sample.gradients))
                }
            }
            inputs.append(("spike (1000×)", GradientSamples.random(like: parameters, seed: seed &+ 801, norm: 1000).gradients))
            var state = suite.clipper.makeState(for: parameters)
            for (step, (name, input)) in inputs.enumerated() {
                let (output, reports) = try suite.applyOnce(input, state: &state, step: step)
                if let problem = suite.reportProblem(reports, input: input, output: output) {
                    throw Violation("at \(variant.label), step \(step) (\(name)): \(problem)", sample: name)
                }
            }
        }
    }

    func checkThresholdHonoured() throws {
        guard clipper is any ThresholdClipper else { throw LawEnding.notApplicable("not a ThresholdClipper") }
        for threshold in Self.sampledThresholds {
            guard let variant = clipper(withThreshold: threshold) else { throw Violation("setting the threshold lost the clipper's type") }
            guard let readBack = (variant as? any ThresholdClipper)?.threshold, readBack == threshold else {
                throw Violation("the threshold was set to \(threshold) but reads back as \(String(describing: (variant as? any ThresholdClipper)?.threshold))")
            }
            var suite = self
            suite.clipper = variant
            if let bound = suite.declaredBound, bound != threshold {
                throw Violation("the threshold was set to \(threshold) but the guarantee still declares \(suite.clipper.guarantee)")
            }
            var state = variant.makeState(for: parameters)
            if isAdaptive {
                for step in 0..<warmupSteps { _ = try suite.applyOnce(suite.ordinary(step), state: &state, step: step) }
            }
            let base = GradientSamples.random(like: parameters, seed: seed &+ 900)
            let sample = suite.scaledToBound(base, factor: 10) ?? base.scaled(by: 1000)
            let before = state
            let (output, reports) = try suite.applyOnce(sample.gradients, state: &state, step: warmupSteps, parameters: sample.parameters)
            if let reported = reports.compactMap(\.clip).last?.threshold, suite.declaredBound != nil, reported != threshold {
                throw Violation("the threshold was set to \(threshold) but the report says \(reported)")
            }
            if let problem = suite.guaranteeViolation(Outcome(output: output, report: reports.last, stateBefore: before), sample: sample) {
                throw Violation("with the threshold set to \(threshold): \(problem)", sample: sample.summary)
            }
        }
    }

    func checkAdaptiveHistory() throws {
        guard isAdaptive else { throw LawEnding.notApplicable("the bound \(clipper.guarantee) does not depend on history") }
        let warmup = warmupSteps + 3  // not a multiple of a typical ring-buffer capacity
        func warmed(scale: Double) throws -> Clipper.State {
            var state = clipper.makeState(for: parameters)
            for step in 0..<warmup { _ = try applyOnce(ordinary(step, scale: scale), state: &state, step: step) }
            return state
        }
        // A spike after calm history is clipped at least tenfold.
        let calm = try warmed(scale: 1)
        let spike = GradientSamples.random(like: parameters, seed: seed &+ 950, norm: 1000)
        var afterSpike = calm
        let (clipped, _) = try applyOnce(spike.gradients, state: &afterSpike, step: warmup)
        let clippedNorm = clipped.globalNorm(.l2)
        guard clippedNorm <= 500 else {
            throw Violation(
                "after \(warmup) steps with ‖g‖₂ from 0.5 to 2, a spike of ‖g‖₂ = 1000 left with ‖g‖₂ = \(clippedNorm): "
                    + "the bound does not follow the history", sample: spike.summary)
        }
        // Below a loud history (below the ceiling, if any), a tenth of it passes untouched.
        let loudScale = adaptiveCeiling.map { Swift.min(1000, $0 / 4) } ?? 1000
        var loud = try warmed(scale: loudScale)
        let quiet = GradientSamples.random(like: parameters, seed: seed &+ 951, norm: loudScale / 10)
        let (passed, _) = try applyOnce(quiet.gradients, state: &loud, step: warmup)
        if let difference = firstDifference(passed, quiet.gradients) {
            throw Violation(
                "after \(warmup) steps with ‖g‖₂ from \(loudScale / 2) to \(2 * loudScale), a sample of ‖g‖₂ = \(loudScale / 10) "
                    + "was changed (\(difference)): the bound does not follow the history", sample: quiet.summary)
        }
        // A JSON round trip of the warmed-up state changes nothing that follows.
        var decoded: Clipper.State
        do {
            decoded = try makeDecoder().decode(Clipper.State.self, from: makeEncoder().encode(calm))
        } catch {
            throw Violation("the clipper's state does not round-trip through JSON: \(error)")
        }
        var original = calm
        let probes = [spike.gradients] + (0..<8).map { ordinary(warmup + $0, seed: 2000) }
        for (offset, probe) in probes.enumerated() {
            let a = try applyOnce(probe, state: &original, step: warmup + offset).output
            let b = try applyOnce(probe, state: &decoded, step: warmup + offset).output
            if let difference = firstDifference(a, b) {
                throw Violation(
                    "after a JSON round trip of the state at step \(warmup), step \(warmup + offset) gives another output: \(difference)")
            }
        }
    }
}

enum DirectionGrouping { case global, perTensor, perUnit }

/// The flat indices of each unit of a tensor of `shape` under `layout`.
func unitIndices(shape: [Int], layout: UnitLayout) -> [[Int]] {
    let count = shape.reduce(1, *)
    switch layout {
    case .wholeTensor: return [Array(0..<count)]
    case .unclipped: return []
    case .unitsAlongAxis(let axis):
        guard axis < shape.count else { return [Array(0..<count)] }
        let stride = shape[(axis + 1)...].reduce(1, *)
        var units = Array(repeating: [Int](), count: shape[axis])
        for index in 0..<count { units[(index / stride) % shape[axis]].append(index) }
        return units
    }
}

/// The L2 norm of each unit of `tensor` under `layout`.
func unitNorms<Scalar>(_ tensor: Tensor<Scalar>, layout: UnitLayout) -> [Double] {
    let values = tensor.scalars
    return unitIndices(shape: tensor.shape, layout: layout).map { unit in
        unit.reduce(0) { $0 + Double(values[$1]) * Double(values[$1]) }.squareRoot()
    }
}
