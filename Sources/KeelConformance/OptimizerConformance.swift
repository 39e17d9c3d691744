import Foundation

/// The laws every `Optimizer` keeps, in addition to the ``GradientTransformLaw``s.
///
/// The optimizer's math is verified against an independent reference: a ``GoldenTrajectory`` or
/// a ``ScalarOptimizerReference`` the author writes from the paper. Without either, the math laws
/// report "not verified", never a pass. The laws that need no reference check what the author
/// declares: the weight decay (``DeclaredWeightDecay``), the first step's size
/// (``DeclaredFirstStep``) and scale invariance.
public enum OptimizerLaw: String, ConformanceLaw {
    /// It reaches the parabola's minimum with the author's settings.
    case convergesOnParabola
    /// It reaches Rosenbrock's minimum with the author's settings.
    case convergesOnRosenbrock
    /// From a fresh state, zero gradients move the parameters only by the declared decoupled
    /// decay −γ·λ·θ (not at all without one; with coupled L2, not at all at θ = 0).
    case zeroGradientIsFixedPoint
    /// The first update for learning rate 2γ is twice the update for γ.
    case firstStepLinearInLearningRate
    /// Exactly one state advance per apply: the first update from a fresh state does not depend
    /// on the context's step (no schedule is configured), and a ``StepCountingState`` counts one
    /// per apply.
    case oneStateAdvancePerApply
    /// The declared weight decay is what the optimizer does, over several steps: none (the update
    /// ignores θ), decoupled (the update at θ minus the update at 0 is −γ·λ·θ) or coupled L2 (the
    /// update for g at θ is the update for g + λ·θ at 0).
    case weightDecayAsDeclared
    /// The first step from a fresh state has the declared size (not applicable when none is declared).
    case firstStepAsDeclared
    /// Multiplying every gradient by c > 0 leaves the updates unchanged, when declared (Adam, Lion,
    /// Adagrad, RMSprop up to ε).
    case scaleInvariance
    /// Every apply appends exactly one optimizer report with the learning rate it applied.
    case reportsLearningRate
    /// The trainer's `TransformContext.learningRateMultiplier` reaches the update: from a fresh
    /// state the first update at multiplier m is m times the update at 1, and at every step the
    /// report is m × the rate `GradientTransform.scheduledLearningRate(state:step:)` predicted
    /// before the apply (take the rate through `TransformContext.applyLearningRate(_:optimizer:)`).
    case honorsLearningRateMultiplier
    /// It reproduces the author's golden trajectory (not verified when none is given).
    case matchesGoldenTrajectory
    /// Its updates equal the author's scalar reference over 32 steps of gradients of varying scale
    /// and sign (not verified when none is given).
    case matchesReference

    public var summary: String {
        switch self {
        case .convergesOnParabola: "converges on a parabola"
        case .convergesOnRosenbrock: "converges on Rosenbrock"
        case .zeroGradientIsFixedPoint: "zero gradients move the parameters only by the declared decay"
        case .firstStepLinearInLearningRate: "the first step scales linearly with the learning rate"
        case .oneStateAdvancePerApply: "one state advance per apply"
        case .weightDecayAsDeclared: "the weight decay is the declared one"
        case .firstStepAsDeclared: "the first step has the declared size"
        case .scaleInvariance: "gradient scale does not change the updates (when declared)"
        case .reportsLearningRate: "one learning-rate report per apply"
        case .honorsLearningRateMultiplier: "the trainer's learning-rate multiplier reaches the update and the report"
        case .matchesGoldenTrajectory: "reproduces a reference trajectory"
        case .matchesReference: "matches a scalar reference implementation"
        }
    }
}

/// Checks the ``OptimizerLaw``s (and, with `checkAll()`, the ``GradientTransformLaw``s) for one
/// optimizer. Configure the optimizer without a schedule (the suite sets `Optimizer/learningRate`
/// itself) and declare its weight decay, first step and scale invariance.
///
/// ```swift
/// @Test(arguments: OptimizerLaw.allCases)
/// func myOptimizer(law: OptimizerLaw) throws {
///     try OptimizerConformance(
///         MyOptimizer<Float>(learningRate: 0.1),
///         parabola: .init(learningRate: 0.1, steps: 500, tolerance: 1e-2),
///         rosenbrock: .init(learningRate: 0.01, steps: 5000, tolerance: 0.1)
///     ).check(law)
/// }
/// ```
public struct OptimizerConformance<Candidate: Optimizer>: Sendable {
    public typealias Scalar = Candidate.Scalar

    /// The optimizer under test.
    public var optimizer: Candidate
    /// Its name in failures.
    public var name: String
    /// The seed of every sample.
    public var seed: UInt64
    /// Settings for ``OptimizerLaw/convergesOnParabola``.
    public var parabola: OptimizationSettings
    /// Settings for ``OptimizerLaw/convergesOnRosenbrock``.
    public var rosenbrock: OptimizationSettings
    /// The reference trajectory, if the author supplies one.
    public var goldenTrajectory: GoldenTrajectory?
    /// The scalar reference, if the author supplies one.
    public var reference: ScalarOptimizerReference?
    /// The weight decay the optimizer is configured with.
    public var weightDecay: DeclaredWeightDecay
    /// The size of the first step, if declared.
    public var firstStep: DeclaredFirstStep?
    /// Whether the updates are invariant to the gradients' scale.
    public var scaleInvariant: Bool
    /// How many steps the transform laws run (default 32).
    public var steps: Int

    /// A suite for `optimizer`.
    ///
    /// - Parameters:
    ///   - optimizer: The optimizer under test.
    ///   - name: Its name in failures (default: its type name).
    ///   - seed: The seed of every sample (default `0x5EED`).
    ///   - parabola: Learning rate, steps and tolerance for ``OptimizerLaw/convergesOnParabola``.
    ///   - rosenbrock: Learning rate, steps and tolerance for ``OptimizerLaw/convergesOnRosenbrock``.
    ///   - goldenTrajectory: A reference trajectory to reproduce, if the author has one.
    ///   - reference: A scalar re-implementation to compare against (see ``ScalarOptimizerReference``).
    ///   - weightDecay: The weight decay the optimizer is configured with (default none).
    ///   - firstStep: The size of the first step, if the method fixes it.
    ///   - scaleInvariant: Whether the updates ignore the gradients' scale (default false).
    ///   - steps: How many steps the transform laws run (default 32).
    public init(
        _ optimizer: Candidate, name: String? = nil, seed: UInt64 = 0x5EED,
        parabola: OptimizationSettings, rosenbrock: OptimizationSettings, goldenTrajectory: GoldenTrajectory? = nil,
        reference: ScalarOptimizerReference? = nil, weightDecay: DeclaredWeightDecay = .none, firstStep: DeclaredFirstStep? = nil,
        scaleInvariant: Bool = false, steps: Int = 32
    ) {
        self.reference = reference
        self.weightDecay = weightDecay
        self.firstStep = firstStep
        self.scaleInvariant = scaleInvariant
        self.steps = steps
        self.optimizer = optimizer
        self.name = name ?? componentName(optimizer)
        self.seed = seed
        self.parabola = parabola
        self.rosenbrock = rosenbrock
        self.goldenTrajectory = goldenTrajectory
    }

    /// The transform suite for the same optimizer.
    public var transformSuite: GradientTransformConformance<Candidate> {
        GradientTransformConformance(optimizer, name: name, seed: seed, steps: steps)
    }

    /// Checks one optimizer law; throws a ``ConformanceFailure`` when it does not hold.
    public func check(_ law: OptimizerLaw) throws {
        try evaluate(law).throwIfFailed()
    }

    /// One law's result: passed, failed, not applicable or not verified (logged for
    /// `check-conformance`).
    public func evaluate(_ law: OptimizerLaw) -> LawResult {
        evaluateLaw(law, component: name, seed: seed) {
            switch law {
            case .convergesOnParabola: try checkConvergence(.parabola, parabola)
            case .convergesOnRosenbrock: try checkConvergence(.rosenbrock, rosenbrock)
            case .zeroGradientIsFixedPoint: try checkZeroGradient()
            case .firstStepLinearInLearningRate: try checkLinearity()
            case .matchesGoldenTrajectory: try checkGoldenTrajectory()
            case .oneStateAdvancePerApply: try checkOneAdvance()
            case .weightDecayAsDeclared: try checkWeightDecay()
            case .firstStepAsDeclared: try checkFirstStep()
            case .scaleInvariance: try checkScaleInvariance()
            case .reportsLearningRate: try checkLearningRateReports()
            case .honorsLearningRateMultiplier: try checkLearningRateMultiplier()
            case .matchesReference: try checkReference()
            }
        }
    }

    /// Checks one transform law on the optimizer.
    public func check(_ law: GradientTransformLaw) throws {
        try transformSuite.check(law)
    }

    /// Checks every optimizer and transform law, throwing the first failure.
    public func checkAll() throws {
        for law in OptimizerLaw.allCases { try check(law) }
        try transformSuite.checkAll()
    }

    /// Every optimizer and transform law's result, for summaries.
    public func results() -> [LawResult] {
        OptimizerLaw.allCases.map(evaluate) + transformSuite.results()
    }

    /// The points after each of `steps` steps on `problem` at `learningRate`.
    public func trajectory(on problem: OptimizationProblem, learningRate: Double, steps: Int) throws -> [[Double]] {
        var optimizer = self.optimizer
        optimizer.learningRate = learningRate
        let start = problem.initialPoint
        var parameters = ParameterSet<Scalar>([("x", Tensor(shape: [start.count], scalars: start.map { Scalar($0) }))])
        var state = optimizer.makeState(for: parameters)
        var points: [[Double]] = []
        points.reserveCapacity(steps)
        for step in 0..<steps {
            let x = parameters.tensors[0].scalars.map { Double($0) }
            let gradient = problem.gradient(at: x)
            var updates = ParameterSet<Scalar>([("x", Tensor(shape: [x.count], scalars: gradient.map { Scalar($0) }))])
            var context = TransformContext(step: step, parameters: parameters)
            try optimizer.apply(to: &updates, state: &state, context: &context)
            parameters.add(updates)
            points.append(parameters.tensors[0].scalars.map { Double($0) })
        }
        return points
    }

    func checkConvergence(_ problem: OptimizationProblem, _ settings: OptimizationSettings) throws {
        let points = try trajectory(on: problem, learningRate: settings.learningRate, steps: settings.steps)
        let end = points.last ?? problem.initialPoint
        let distance = problem.distanceToMinimum(end)
        guard distance.isFinite, distance <= settings.tolerance else {
            throw Violation(
                "after \(settings.steps) steps at learning rate \(settings.learningRate) the point \(end) is \(distance) "
                    + "from the minimum \(problem.minimum) (tolerance \(settings.tolerance)); f = \(problem.value(at: end))")
        }
    }

    func checkZeroGradient() throws {
        var parameters = GradientSamples.parameters(seed: seed, as: Scalar.self)
        if case .coupled = weightDecay { parameters = parameters.zerosLike() }
        var state = optimizer.makeState(for: parameters)
        for step in 0..<5 {
            var updates = parameters.zerosLike()
            var context = TransformContext(step: step, parameters: parameters)
            try optimizer.apply(to: &updates, state: &state, context: &context)
            let rate = appliedRate(context.reports)
            for (index, (key, tensor)) in zip(updates.keys, updates.tensors).enumerated() {
                let theta = parameters.tensors[index].scalars
                for (element, value) in tensor.scalars.enumerated() {
                    var expected = 0.0
                    if case .decoupled(let lambda) = weightDecay { expected = -rate * lambda * Double(theta[element]) }
                    guard closeEnough(Double(value), expected, scale: Swift.abs(expected)) else {
                        throw Violation(
                            "a zero gradient at step \(step) gave the update \(Double(value)) at \(key)[\(element)], expected \(expected)"
                                + (expected == 0 ? "" : " (the declared decay −γ·λ·θ)"),
                            sample: "zero gradients over \(parameters.keys.map(\.rawValue))")
                    }
                }
            }
        }
    }

    /// The learning rate the step applied: its optimizer report's, else the configured one.
    func appliedRate(_ reports: [TransformReport]) -> Double {
        reports.compactMap(\.optimizer).last?.learningRate ?? optimizer.learningRate
    }

    /// Whether `actual` is `expected` up to the scalar type's rounding, relative to `scale`.
    func closeEnough(_ actual: Double, _ expected: Double, scale: Double) -> Bool {
        let relative = Scalar.self == Double.self ? 1e-9 : 2e-4
        return Swift.abs(actual - expected) <= relative * Swift.max(scale, Swift.abs(actual)) + 1e-7 * optimizer.learningRate
            || actual == expected
    }

    /// Updates for `gradients` step by step from a fresh state, with the parameters `parameters`
    /// in the context (held fixed), and the learning rate each step applied.
    func updates(
        _ gradients: [ParameterSet<Scalar>], parameters: ParameterSet<Scalar>, optimizer: Candidate? = nil, firstStep: Int = 0
    ) throws -> (updates: [ParameterSet<Scalar>], rates: [Double]) {
        let optimizer = optimizer ?? self.optimizer
        var state = optimizer.makeState(for: parameters)
        var results: [ParameterSet<Scalar>] = [], rates: [Double] = []
        for (offset, gradient) in gradients.enumerated() {
            var updates = gradient
            var context = TransformContext(step: firstStep + offset, parameters: parameters)
            try optimizer.apply(to: &updates, state: &state, context: &context)
            results.append(updates)
            rates.append(context.reports.compactMap(\.optimizer).last?.learningRate ?? optimizer.learningRate)
        }
        return (results, rates)
    }

    /// Random gradients of varying scale shaped like the archetype.
    func gradientSequence(_ count: Int, offset: UInt64 = 0) -> [ParameterSet<Scalar>] {
        let parameters = GradientSamples.parameters(seed: seed, as: Scalar.self)
        return (0..<count).map { step in
            GradientSamples.random(
                like: parameters, seed: seed &+ 3000 &+ offset &+ UInt64(step),
                norm: 3 * GradientTransformConformance<Candidate>.normFactor(at: step)).gradients
        }
    }

    func compareSets(_ actual: ParameterSet<Scalar>, _ expected: ParameterSet<Scalar>, _ what: String) throws {
        for index in actual.indices {
            let a = actual.tensors[index].scalars, e = expected.tensors[index].scalars
            for element in a.indices where !closeEnough(Double(a[element]), Double(e[element]), scale: Swift.abs(Double(e[element]))) {
                throw Violation("\(what): \(actual.keys[index])[\(element)] is \(Double(a[element])), expected \(Double(e[element]))")
            }
        }
    }

    func checkOneAdvance() throws {
        let parameters = GradientSamples.parameters(seed: seed, as: Scalar.self)
        let gradients = gradientSequence(3)
        let atZero = try updates([gradients[0]], parameters: parameters).updates[0]
        let atSeven = try updates([gradients[0]], parameters: parameters, firstStep: 7).updates[0]
        try compareSets(
            atSeven, atZero,
            "the first update from a fresh state differs between context steps 0 and 7 (the step count must live in the state, "
                + "which a reset or a resumed pipeline starts afresh)")
        var state = optimizer.makeState(for: parameters)
        guard state is any StepCountingState else { return }
        for (step, gradient) in gradients.enumerated() {
            var updates = gradient
            var context = TransformContext(step: step, parameters: parameters)
            try optimizer.apply(to: &updates, state: &state, context: &context)
            let count = (state as? any StepCountingState)?.stepCount ?? -1
            guard count == step + 1 else {
                throw Violation("after \(step + 1) applies the state counts \(count) steps")
            }
        }
    }

    func checkWeightDecay() throws {
        let parameters = GradientSamples.parameters(seed: seed &+ 1, as: Scalar.self)
        let zero = parameters.zerosLike()
        let gradients = gradientSequence(6, offset: 100)
        let atTheta = try updates(gradients, parameters: parameters)
        switch weightDecay {
        case .none:
            let atZero = try updates(gradients, parameters: zero)
            for step in gradients.indices {
                try compareSets(atTheta.updates[step], atZero.updates[step], "no decay is declared, but at step \(step) the update depends on θ")
            }
        case .decoupled(let lambda):
            let atZero = try updates(gradients, parameters: zero)
            for step in gradients.indices {
                let rate = atTheta.rates[step]
                var expected = atZero.updates[step]
                expected.add(parameters, scaledBy: Scalar(-rate * lambda))
                try compareSets(
                    atTheta.updates[step], expected,
                    "decoupled decay λ = \(lambda): at step \(step) the update at θ is not the update at 0 minus γ·λ·θ")
            }
        case .coupled(let lambda):
            let shifted = gradients.map { gradient -> ParameterSet<Scalar> in
                var g = gradient
                g.add(parameters, scaledBy: Scalar(lambda))
                return g
            }
            let atZero = try updates(shifted, parameters: zero)
            for step in gradients.indices {
                try compareSets(
                    atTheta.updates[step], atZero.updates[step],
                    "coupled L2 λ = \(lambda): at step \(step) the update for g at θ is not the update for g + λ·θ at 0")
            }
        }
    }

    func checkFirstStep() throws {
        guard let rule = firstStep else { throw LawEnding.notApplicable("no first step declared") }
        let parameters: ParameterSet<Scalar>
        if case .none = weightDecay { parameters = GradientSamples.parameters(seed: seed, as: Scalar.self) } else {
            parameters = GradientSamples.parameters(seed: seed, as: Scalar.self).zerosLike()
        }
        let gradient = gradientSequence(1, offset: 200)[0]
        let (result, rates) = try updates([gradient], parameters: parameters)
        var expected = gradient
        for index in expected.indices {
            expected.withTensor(at: index) { tensor in
                tensor = Tensor(shape: tensor.shape, scalars: tensor.scalars.map { g -> Scalar in
                    let x = Double(g), rate = rates[0]
                    switch rule {
                    case .gradientTimesLearningRate: return Scalar(-rate * x)
                    case .normalized(let epsilon): return Scalar(-rate * x / (Swift.abs(x) + epsilon))
                    case .sign: return Scalar(x > 0 ? -rate : (x < 0 ? rate : 0))
                    }
                })
            }
        }
        try compareSets(result[0], expected, "the first step is not \(rule)")
    }

    func checkScaleInvariance() throws {
        guard scaleInvariant else { throw LawEnding.notApplicable("scale invariance not declared") }
        let parameters = GradientSamples.parameters(seed: seed, as: Scalar.self).zerosLike()
        let gradients = gradientSequence(8, offset: 300)
        let base = try updates(gradients, parameters: parameters).updates
        // ε makes "invariant" approximate for tiny gradients: elements below 10⁻² are not compared.
        for factor in [1e-1, 1e2] {
            let scaled = try updates(gradients.map { $0.scaled(by: Scalar(factor)) }, parameters: parameters).updates
            for step in gradients.indices {
                for index in base[step].indices {
                    let a = scaled[step].tensors[index].scalars, b = base[step].tensors[index].scalars
                    let g = gradients[step].tensors[index].scalars
                    for element in a.indices where Swift.abs(Double(g[element])) >= 1e-2
                        && Swift.abs(Double(a[element]) - Double(b[element])) > 1e-3 * Swift.max(Swift.abs(Double(b[element])), 1e-3 * optimizer.learningRate) {
                        throw Violation(
                            "gradients × \(factor): at step \(step) \(base[step].keys[index])[\(element)] is \(Double(a[element])) instead of \(Double(b[element]))")
                    }
                }
            }
        }
    }

    func checkLearningRateReports() throws {
        let parameters = GradientSamples.parameters(seed: seed, as: Scalar.self)
        var state = optimizer.makeState(for: parameters)
        for (step, gradient) in gradientSequence(4, offset: 400).enumerated() {
            var updates = gradient
            var context = TransformContext(step: step, parameters: parameters)
            try optimizer.apply(to: &updates, state: &state, context: &context)
            let reports = context.reports.compactMap(\.optimizer)
            guard reports.count == 1 else {
                throw Violation("step \(step) appended \(reports.count) optimizer reports, expected one with the learning rate applied")
            }
            guard Swift.abs(reports[0].learningRate - optimizer.learningRate) <= 1e-12 * optimizer.learningRate else {
                throw Violation("step \(step) reports the learning rate \(reports[0].learningRate), configured \(optimizer.learningRate) without a schedule")
            }
        }
    }

    func checkLearningRateMultiplier() throws {
        let multiplier = 0.25
        let sample = GradientSamples.random(like: GradientSamples.parameters(seed: seed, as: Scalar.self), seed: seed &+ 7)
        func apply(_ state: inout Candidate.State, _ gradient: ParameterSet<Scalar>, step: Int, _ m: Double) throws
            -> (updates: ParameterSet<Scalar>, rate: Double?)
        {
            var updates = gradient
            var context = TransformContext(step: step, parameters: sample.parameters, learningRateMultiplier: m)
            try optimizer.apply(to: &updates, state: &state, context: &context)
            return (updates, context.reports.compactMap(\.optimizer).last?.learningRate)
        }
        var fresh = optimizer.makeState(for: sample.parameters), scaledFresh = fresh
        let unit = try apply(&fresh, sample.gradients, step: 0, 1).updates
        let scaled = try apply(&scaledFresh, sample.gradients, step: 0, multiplier).updates
        if unit.globalNorm(.l2) > 0,
            let difference = firstApproximateDifference(scaled, unit.scaled(by: Scalar(multiplier)), relative: 1e-4, absolute: 0)
        {
            throw Violation(
                "the first update with learningRateMultiplier \(multiplier) is not \(multiplier) × the update with 1: \(difference)"
                    + " (take the rate through context.applyLearningRate(_:optimizer:))")
        }
        var state = optimizer.makeState(for: sample.parameters)
        for (step, gradient) in gradientSequence(4, offset: 700).enumerated() {
            let predicted = optimizer.scheduledLearningRate(state: state, step: step)
            var probe = state
            let report = try apply(&probe, gradient, step: step, multiplier).rate
            _ = try apply(&state, gradient, step: step, 1)
            guard let predicted, let report else {
                throw Violation(
                    "step \(step): scheduledLearningRate(state:step:) predicted \(predicted.map { "\($0)" } ?? "nil"), the report said \(report.map { "\($0)" } ?? "nothing")")
            }
            guard Swift.abs(report - multiplier * predicted) <= 1e-12 * Swift.abs(multiplier * predicted) else {
                throw Violation(
                    "step \(step): with learningRateMultiplier \(multiplier) the report says \(report), expected \(multiplier) × \(predicted) (the rate scheduledLearningRate(state:step:) predicted)")
            }
        }
    }

    func checkReference() throws {
        guard let reference else {
            throw LawEnding.notVerified("no scalar reference given: pass `reference:` (or a golden trajectory) to verify the math")
        }
        let count = 16, steps = 32
        var generator = Xoshiro256StarStar(seed: seed &+ 5000)
        var theta = (0..<count).map { _ in generator.nextUnitDouble() * 2 - 1 }
        var gradientHistory = Array(repeating: [Double](), count: count)
        var parameterHistory = Array(repeating: [Double](), count: count)
        var updateHistory = Array(repeating: [Double](), count: count)
        let rate = optimizer.learningRate
        var parameters = ParameterSet<Scalar>([("x", Tensor(shape: [count], scalars: theta.map { Scalar($0) }))])
        var state = optimizer.makeState(for: parameters)
        for step in 0..<steps {
            // Coordinates at different scales, a scale that varies by step, and a sign flip every 5 steps.
            let scale = GradientTransformConformance<Candidate>.normFactor(at: step) * (step % 5 == 4 ? -1 : 1)
            let gradient = (0..<count).map { i in Double(Scalar((generator.nextUnitDouble() * 2 - 1) * scale * Foundation.pow(10, Double(i % 4) - 2))) }
            theta = parameters.tensors[0].scalars.map(Double.init)
            var updates = ParameterSet<Scalar>([("x", Tensor(shape: [count], scalars: gradient.map { Scalar($0) }))])
            var context = TransformContext(step: step, parameters: parameters)
            try optimizer.apply(to: &updates, state: &state, context: &context)
            for i in 0..<count {
                gradientHistory[i].append(gradient[i])
                parameterHistory[i].append(theta[i])
                updateHistory[i].append(Double(updates.tensors[0].scalars[i]))
            }
            parameters.add(updates)
        }
        for i in 0..<count {
            let expected = reference(gradientHistory[i], parameterHistory[i], rate)
            guard expected.count == steps else { throw Violation("the reference returned \(expected.count) updates for \(steps) gradients") }
            // Rounding in the optimizer's scalar type scales with the terms it accumulates, not with
            // an update that cancels to nearly zero: the scale is at least a tenth of the largest
            // update so far.
            var largest = 0.0
            for step in 0..<steps {
                largest = Swift.max(largest, Swift.abs(expected[step]))
                guard !closeEnough(updateHistory[i][step], expected[step], scale: Swift.max(Swift.abs(expected[step]), 0.1 * largest)) else { continue }
                throw Violation(
                    "coordinate \(i), step \(step + 1): the update is \(updateHistory[i][step]), the reference gives \(expected[step])",
                    sample: "gradients \(gradientHistory[i].prefix(step + 1).map { String(format: "%.3g", $0) })")
            }
        }
    }

    func checkLinearity() throws {
        let sample = GradientSamples.random(like: GradientSamples.parameters(seed: seed, as: Scalar.self), seed: seed &+ 1)
        func firstUpdate(_ learningRate: Double, _ sample: GradientSample<Scalar>) throws -> ParameterSet<Scalar> {
            var optimizer = self.optimizer
            optimizer.learningRate = learningRate
            var state = optimizer.makeState(for: sample.parameters)
            var updates = sample.gradients
            var context = TransformContext(step: 0, parameters: sample.parameters)
            try optimizer.apply(to: &updates, state: &state, context: &context)
            return updates
        }
        let rate = optimizer.learningRate > 0 ? optimizer.learningRate : 1e-2
        func violation(_ sample: GradientSample<Scalar>) throws -> String? {
            let single = try firstUpdate(rate, sample)
            let double = try firstUpdate(2 * rate, sample)
            guard single.globalNorm(.l2) > 0 else { return "the first update is zero at learning rate \(rate)" }
            return firstApproximateDifference(double, single.scaled(by: 2), relative: 1e-4, absolute: 0)
                .map { "the update at learning rate \(2 * rate) is not twice the update at \(rate): \($0)" }
        }
        if let problem = try violation(sample) {
            let smallest = try shrinkSample(sample) { try violation($0) != nil }
            throw Violation(problem, sample: smallest.summary)
        }
    }

    func checkGoldenTrajectory() throws {
        guard let golden = goldenTrajectory else {
            throw LawEnding.notVerified("no golden trajectory given" + (reference == nil ? "" : " (the scalar reference is checked instead)"))
        }
        let points = try trajectory(on: golden.problem, learningRate: golden.learningRate, steps: golden.points.count)
        for (step, (actual, expected)) in zip(points, golden.points).enumerated() {
            for (coordinate, (a, e)) in zip(actual, expected).enumerated() {
                guard Swift.abs(a - e) <= golden.tolerance * Swift.max(Swift.abs(e), 1) else {
                    throw Violation(
                        "step \(step + 1), coordinate \(coordinate): \(a), the golden trajectory has \(e) "
                            + "(\(golden.problem), learning rate \(golden.learningRate))")
                }
            }
        }
    }
}
