/// The laws every `Optimizer` keeps, in addition to the ``GradientTransformLaw``s.
public enum OptimizerLaw: String, ConformanceLaw {
    /// It reaches the parabola's minimum with the author's settings.
    case convergesOnParabola
    /// It reaches Rosenbrock's minimum with the author's settings.
    case convergesOnRosenbrock
    /// From a fresh state, zero gradients give exactly zero updates (configure it without decay).
    case zeroGradientIsFixedPoint
    /// The first update for learning rate 2γ is twice the update for γ.
    case firstStepLinearInLearningRate
    /// It reproduces the author's golden trajectory (passes when none is given).
    case matchesGoldenTrajectory

    public var summary: String {
        switch self {
        case .convergesOnParabola: "converges on a parabola"
        case .convergesOnRosenbrock: "converges on Rosenbrock"
        case .zeroGradientIsFixedPoint: "zero gradients do not move the parameters"
        case .firstStepLinearInLearningRate: "the first step scales linearly with the learning rate"
        case .matchesGoldenTrajectory: "reproduces a reference trajectory"
        }
    }
}

/// Checks the ``OptimizerLaw``s (and, with `checkAll()`, the ``GradientTransformLaw``s) for one
/// optimizer. Configure the optimizer without weight decay and without a schedule: the suite sets
/// `Optimizer/learningRate` itself.
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

    /// A suite for `optimizer`.
    ///
    /// - Parameters:
    ///   - optimizer: The optimizer under test.
    ///   - name: Its name in failures (default: its type name).
    ///   - seed: The seed of every sample (default `0x5EED`).
    ///   - parabola: Learning rate, steps and tolerance for ``OptimizerLaw/convergesOnParabola``.
    ///   - rosenbrock: Learning rate, steps and tolerance for ``OptimizerLaw/convergesOnRosenbrock``.
    ///   - goldenTrajectory: A reference trajectory to reproduce, if the author has one.
    public init(
        _ optimizer: Candidate, name: String? = nil, seed: UInt64 = 0x5EED,
        parabola: OptimizationSettings, rosenbrock: OptimizationSettings, goldenTrajectory: GoldenTrajectory? = nil
    ) {
        self.optimizer = optimizer
        self.name = name ?? componentName(optimizer)
        self.seed = seed
        self.parabola = parabola
        self.rosenbrock = rosenbrock
        self.goldenTrajectory = goldenTrajectory
    }

    /// The transform suite for the same optimizer.
    public var transformSuite: GradientTransformConformance<Candidate> {
        GradientTransformConformance(optimizer, name: name, seed: seed)
    }

    /// Checks one optimizer law; throws a ``ConformanceFailure`` when it does not hold.
    public func check(_ law: OptimizerLaw) throws {
        try runLaw(law, component: name, seed: seed) {
            switch law {
            case .convergesOnParabola: try checkConvergence(.parabola, parabola)
            case .convergesOnRosenbrock: try checkConvergence(.rosenbrock, rosenbrock)
            case .zeroGradientIsFixedPoint: try checkZeroGradient()
            case .firstStepLinearInLearningRate: try checkLinearity()
            case .matchesGoldenTrajectory: try checkGoldenTrajectory()
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
        collectResults(OptimizerLaw.allCases, component: name, check) + transformSuite.results()
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
        let parameters = GradientSamples.parameters(seed: seed, as: Scalar.self)
        var state = optimizer.makeState(for: parameters)
        for step in 0..<5 {
            var updates = parameters.zerosLike()
            var context = TransformContext(step: step, parameters: parameters)
            try optimizer.apply(to: &updates, state: &state, context: &context)
            for (key, tensor) in zip(updates.keys, updates.tensors) {
                if let element = tensor.scalars.firstIndex(where: { $0 != 0 }) {
                    throw Violation(
                        "a zero gradient at step \(step) gave the update \(Double(tensor.scalars[element])) at \(key)[\(element)]",
                        sample: "zero gradients over \(parameters.keys.map(\.rawValue))")
                }
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
        guard let golden = goldenTrajectory else { return }
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
