/// A small objective an optimizer must minimize: the optimizer suite's test functions, as in
/// Optax's `alias_test.py`.
public enum OptimizationProblem: String, Sendable, Hashable, CaseIterable, Codable {
    /// f(x) = ½·Σᵢ aᵢ(xᵢ − tᵢ)² over 6 coordinates with curvatures aᵢ = 1…6 and targets
    /// tᵢ = 0.5·i − 1.25, started at distance 1 from the minimum.
    case parabola
    /// f(x, y) = (1 − x)² + 100(y − x²)², started at (−1.2, 1); the minimum is (1, 1).
    case rosenbrock

    /// The starting point.
    public var initialPoint: [Double] {
        switch self {
        case .parabola:
            // A fixed unit direction away from the targets.
            let direction: [Double] = [0.5, -0.3, 0.2, -0.6, 0.4, 0.3]
            let length = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return zip(Self.targets, direction).map { $0 + $1 / length }
        case .rosenbrock:
            return [-1.2, 1]
        }
    }

    /// The minimizer.
    public var minimum: [Double] {
        switch self {
        case .parabola: Self.targets
        case .rosenbrock: [1, 1]
        }
    }

    static let targets: [Double] = (0..<6).map { 0.5 * Double($0) - 1.25 }

    /// f(x).
    public func value(at x: [Double]) -> Double {
        switch self {
        case .parabola:
            return x.indices.reduce(0) { $0 + 0.5 * Double($1 + 1) * (x[$1] - Self.targets[$1]) * (x[$1] - Self.targets[$1]) }
        case .rosenbrock:
            return (1 - x[0]) * (1 - x[0]) + 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0])
        }
    }

    /// ∇f(x).
    public func gradient(at x: [Double]) -> [Double] {
        switch self {
        case .parabola:
            return x.indices.map { Double($0 + 1) * (x[$0] - Self.targets[$0]) }
        case .rosenbrock:
            return [-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] * x[0]), 200 * (x[1] - x[0] * x[0])]
        }
    }

    /// The Euclidean distance from `x` to the minimizer.
    public func distanceToMinimum(_ x: [Double]) -> Double {
        zip(x, minimum).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }
}

/// How an optimizer is run on an ``OptimizationProblem``: its learning rate, the number of steps,
/// and how close to the minimizer it must end.
public struct OptimizationSettings: Sendable, Hashable {
    /// The learning rate the optimizer is given.
    public var learningRate: Double
    /// The number of steps.
    public var steps: Int
    /// The largest acceptable distance from the minimizer after `steps` steps.
    public var tolerance: Double

    /// Run for `steps` steps at `learningRate`, ending within `tolerance` of the minimizer.
    public init(learningRate: Double, steps: Int, tolerance: Double) {
        self.learningRate = learningRate
        self.steps = steps
        self.tolerance = tolerance
    }
}

/// A trajectory the optimizer must reproduce: the parameters after each step on a problem,
/// computed by an independent reference implementation.
public struct GoldenTrajectory: Sendable, Hashable {
    /// The problem the trajectory was computed on.
    public var problem: OptimizationProblem
    /// The learning rate used.
    public var learningRate: Double
    /// The parameters after step 1, 2, ….
    public var points: [[Double]]
    /// The largest relative deviation allowed (per coordinate, relative to max(|x|, 1)).
    public var tolerance: Double

    /// A reference trajectory on `problem` at `learningRate`: `points[i]` holds the parameters after
    /// step i + 1, matched within relative `tolerance` (default 10⁻⁵).
    public init(problem: OptimizationProblem, learningRate: Double, points: [[Double]], tolerance: Double = 1e-5) {
        self.problem = problem
        self.learningRate = learningRate
        self.points = points
        self.tolerance = tolerance
    }
}
