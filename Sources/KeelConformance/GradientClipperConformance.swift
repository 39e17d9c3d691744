/// The laws a `GradientClipper` keeps, in addition to the ``GradientTransformLaw``s.
public enum GradientClipperLaw: String, ConformanceLaw {
    /// Below its bound the clipper is a bit-identical identity (no multiplication by a rounded 1).
    case identityBelowBound
    /// The declared `ClippingGuarantee` holds on adversarial samples.
    case guaranteeHolds
    /// Clipping twice is clipping once (stateless clippers; stateful ones pass vacuously).
    case idempotent
    /// Norm clippers scale (per tensor, per unit or globally) by a factor in (0, 1]: the direction
    /// is preserved. Elementwise and second-moment clippers pass vacuously.
    case preservesDirection
    /// A zero gradient stays exactly zero (never NaN), fresh and after warm-up.
    case zeroStaysZero
    /// The clipper reads the gradients it is given, not statistics left from an earlier step:
    /// after sample A, sample B's output equals B's output from a fresh state (stateless clippers),
    /// and keeps the guarantee and B's direction (all clippers).
    case readsCurrentGradients

    public var summary: String {
        switch self {
        case .identityBelowBound: "bit-identical identity below the bound"
        case .guaranteeHolds: "the declared guarantee holds on adversarial samples"
        case .idempotent: "clipping twice equals clipping once"
        case .preservesDirection: "norm clippers only rescale"
        case .zeroStaysZero: "zero stays zero"
        case .readsCurrentGradients: "the current gradients decide, not stale statistics"
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
    ///   - unitLayout: The unit layout for unitwise guarantees (default `UnitLayout.default(for:)`).
    public init(
        _ clipper: Clipper, name: String? = nil, seed: UInt64 = 0x5EED, parameters: ParameterSet<Scalar>? = nil,
        warmupSteps: Int = 32,
        unitLayout: @escaping @Sendable (ParameterKey, [Int]) -> UnitLayout = { UnitLayout.default(for: $1) }
    ) {
        self.clipper = clipper
        self.name = name ?? componentName(clipper)
        self.seed = seed
        let parameters = parameters ?? GradientSamples.parameters(seed: seed)
        self.parameters = parameters
        self.warmupSteps = warmupSteps
        self.unitLayout = unitLayout
        self.adversarialSamples = GradientSamples.adversarial(like: parameters, seed: seed)
    }

    /// The transform suite for the same clipper and samples.
    public var transformSuite: GradientTransformConformance<Clipper> {
        GradientTransformConformance(clipper, name: name, seed: seed, parameters: parameters, sampleNorm: 10)
    }

    /// Checks one clipper law; throws a ``ConformanceFailure`` when it does not hold.
    public func check(_ law: GradientClipperLaw) throws {
        try runLaw(law, component: name, seed: seed) {
            switch law {
            case .identityBelowBound: try checkIdentityBelowBound()
            case .guaranteeHolds: try checkGuarantee()
            case .idempotent: try checkIdempotence()
            case .preservesDirection: try checkDirection()
            case .zeroStaysZero: try checkZero()
            case .readsCurrentGradients: try checkReadsCurrentGradients()
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
        collectResults(GradientClipperLaw.allCases, component: name, check) + transformSuite.results()
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

    func checkIdentityBelowBound() throws {
        let bases = (0..<3).map { GradientSamples.random(like: parameters, seed: seed &+ 100 &+ UInt64($0)) }
            + adversarialSamples.filter { $0.gradients.globalNorm(.l2) > 0 }
        for base in bases {
            let below: GradientSample<Scalar>
            let warmup: Int
            if let ratio = boundRatio(of: base.gradients, parameters: base.parameters) {
                guard ratio > 0, ratio.isFinite else { continue }
                below = base.scaled(by: 0.5 / ratio, name: base.name + ", scaled to half the bound")
                warmup = 0
            } else {
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
            guard below.gradients.nonFiniteCount == 0 else { continue }
            let outcome = try clipFresh(below, warmup: warmup)
            if firstDifference(outcome.output, below.gradients) != nil {
                let smallest = try shrinkSample(below) { candidate in
                    try firstDifference(clipFresh(candidate, warmup: 0).output, candidate.gradients) != nil
                }
                let difference = try firstDifference(clipFresh(smallest, warmup: 0).output, smallest.gradients) ?? ""
                throw Violation("below the bound the output is not the input bit for bit: \(difference)", sample: smallest.summary)
            }
        }
    }

    func guaranteeViolation(_ outcome: Outcome, sample: GradientSample<Scalar>) -> String? {
        let slack = 1 + roundingSlack(Scalar.self)
        let output = outcome.output
        guard output.nonFiniteCount == 0 else { return "the output holds NaN or ±∞ in \(output.firstNonFiniteKey!)" }
        switch clipper.guarantee {
        case .adaptiveGlobalNorm(let norm):
            guard let threshold = outcome.report?.clip?.threshold else { return nil }
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
        var samples = adversarialSamples
        samples.append(GradientSamples.random(like: parameters, seed: seed &+ 200, norm: 1e6))
        for sample in samples {
            let outcome = try clipFresh(sample)
            if let problem = guaranteeViolation(outcome, sample: sample) {
                let smallest = try shrinkSample(sample) { candidate in
                    try guaranteeViolation(clipFresh(candidate), sample: candidate) != nil
                }
                throw Violation("\(problem) on \(sample.name)", sample: smallest.summary)
            }
        }
    }

    func checkIdempotence() throws {
        guard try isStateless() else { return }
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
