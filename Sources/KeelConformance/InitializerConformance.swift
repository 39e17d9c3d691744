import Foundation

/// The laws every `Initializer` keeps.
public enum InitializerLaw: String, ConformanceLaw {
    /// The sample mean and variance of a large tensor match the declared formula.
    case momentsMatchDeclaredFormula
    /// The same seed gives the same tensor (in `Float` and `Double`); for a random rule, another
    /// seed gives another tensor.
    case seededDeterminism
    /// The tensor has exactly the requested shape.
    case shapeHonoured
    /// The moments also match for a transposed weight and a convolution kernel `[out, in, k, k]`,
    /// whose fans count the receptive field.
    case fansHonoured
    /// Neighbouring values are uncorrelated: along a row (lag 1) and down a column (lag = the
    /// last extent), |r| stays within the sampling bound (not applicable to deterministic rules).
    case valuesIndependent

    public var summary: String {
        switch self {
        case .momentsMatchDeclaredFormula: "mean and variance match the declared formula"
        case .seededDeterminism: "the same seed gives the same tensor"
        case .shapeHonoured: "the requested shape is honoured"
        case .fansHonoured: "fans follow the shape (transposed, convolution)"
        case .valuesIndependent: "neighbouring values are uncorrelated"
        }
    }
}

/// The mean and variance an initializer should produce for a shape.
public struct InitializerMoments: Sendable, Hashable {
    /// The expected mean of the values.
    public var mean: Double
    /// The expected variance of the values.
    public var variance: Double

    /// Moments with the given `mean` and `variance`.
    public init(mean: Double, variance: Double) {
        self.mean = mean
        self.variance = variance
    }
}

/// Checks the ``InitializerLaw``s for one initializer against the moments its author declares.
///
/// **Statistics are sized by their sample count.** Each moment is measured on at least
/// ``minimumSampleCount`` values (several seeded draws of a small shape), and every tolerance is
/// z = 5.4 standard errors of its statistic: σ/√n for the mean, σ²·√((κ − 1)/n) for the variance
/// (κ the sample kurtosis), 1/√n for a correlation. A correct initializer then fails one check
/// with probability 6.7·10⁻⁸ (two-sided normal tail), and a whole run of at most 12 checks with
/// probability below 10⁻⁶; a biased one is caught once its bias exceeds the tolerance (about
/// 4% of the variance for a normal rule at 32,768 values).
///
/// ```swift
/// @Test(arguments: InitializerLaw.allCases)
/// func glorot(law: InitializerLaw) throws {
///     try InitializerConformance(GlorotUniform()) { shape in
///         let (fanIn, fanOut) = GlorotUniform.fans(of: shape)
///         return InitializerMoments(mean: 0, variance: 2 / Double(fanIn + fanOut))
///     }.check(law)
/// }
/// ```
public struct InitializerConformance<Candidate: Initializer>: Sendable {
    /// The initializer under test.
    public var initializer: Candidate
    /// Its name in failures.
    public var name: String
    /// The declared moments for a shape; nil skips the moment laws (a rule with no closed form).
    public var expectedMoments: (@Sendable ([Int]) -> InitializerMoments)?
    /// The shape of ``InitializerLaw/momentsMatchDeclaredFormula`` (32,768 values by default).
    public var momentShape: [Int]
    /// The shapes of ``InitializerLaw/fansHonoured``.
    public var fanShapes: [[Int]]
    /// The shapes of ``InitializerLaw/shapeHonoured``.
    public var shapes: [[Int]]
    /// Whether the rule draws from the generator (another seed must give another tensor).
    public var isRandom: Bool
    /// The seed.
    public var seed: UInt64
    /// How far the sample variance may be from the declared one, relative to it; nil (the
    /// default) sizes it from the sample count (see the type's documentation).
    public var varianceTolerance: Double?
    /// The fewest values each moment is measured on (more draws of small shapes).
    public var minimumSampleCount: Int

    /// A suite for `initializer` checked against `expectedMoments`.
    ///
    /// - Parameters:
    ///   - initializer: The initializer under test.
    ///   - name: Its name in failures (default: its type name).
    ///   - seed: The seed of every draw (default `0x5EED`).
    ///   - isRandom: Whether the rule draws from the generator (default `true`); `false` for
    ///     deterministic rules such as identity or constant.
    ///   - momentShape: The shape whose moments are measured (default `[256, 128]`).
    ///   - fanShapes: Shapes whose fans differ from the plain matrix (default a transposed weight and
    ///     a `[16, 32, 3, 3]` convolution kernel).
    ///   - shapes: Shapes the output must match exactly.
    ///   - varianceTolerance: A fixed largest relative deviation of the sample variance (default
    ///     nil: sized from the sample count for a false-failure rate below 10⁻⁶ per run).
    ///   - minimumSampleCount: The fewest values each moment is measured on (default 32,768).
    ///   - expectedMoments: The declared moments for a shape; `nil` skips the moment laws.
    public init(
        _ initializer: Candidate, name: String? = nil, seed: UInt64 = 0x5EED, isRandom: Bool = true,
        momentShape: [Int] = [256, 128], fanShapes: [[Int]] = [[128, 256], [16, 32, 3, 3]],
        shapes: [[Int]] = [[7], [4, 5], [2, 3, 4, 5]], varianceTolerance: Double? = nil, minimumSampleCount: Int = 32_768,
        expectedMoments: (@Sendable ([Int]) -> InitializerMoments)?
    ) {
        self.initializer = initializer
        self.name = name ?? componentName(initializer)
        self.seed = seed
        self.isRandom = isRandom
        self.momentShape = momentShape
        self.fanShapes = fanShapes
        self.shapes = shapes
        self.varianceTolerance = varianceTolerance
        self.minimumSampleCount = minimumSampleCount
        self.expectedMoments = expectedMoments
    }

    /// Checks one law; throws a ``ConformanceFailure`` when it does not hold.
    public func check(_ law: InitializerLaw) throws {
        try evaluate(law).throwIfFailed()
    }

    /// One law's result: passed, failed, not applicable or not verified (logged for
    /// `check-conformance`).
    public func evaluate(_ law: InitializerLaw) -> LawResult {
        evaluateLaw(law, component: name, seed: seed) {
            switch law {
            case .momentsMatchDeclaredFormula: try checkMoments(momentShape)
            case .seededDeterminism: try checkDeterminism()
            case .shapeHonoured: try checkShapes()
            case .fansHonoured: for shape in fanShapes { try checkMoments(shape) }
            case .valuesIndependent: try checkIndependence()
            }
        }
    }

    /// Checks every law, throwing the first failure.
    public func checkAll() throws {
        for law in InitializerLaw.allCases { try check(law) }
    }

    /// Every law's result, for summaries.
    public func results() -> [LawResult] {
        InitializerLaw.allCases.map(evaluate)
    }

    func make<Scalar: TensorScalar>(_ shape: [Int], seed: UInt64, as type: Scalar.Type) -> Tensor<Scalar> {
        var generator = Xoshiro256StarStar(seed: seed)
        return initializer.makeTensor(shape, generator: &generator)
    }

    /// z for a two-sided tail of 6.7·10⁻⁸ per check.
    static var z: Double { 5.4 }

    /// Values of `shape` from enough seeded draws to reach ``minimumSampleCount``.
    func draws(_ shape: [Int]) -> (values: [Double], draws: Int) {
        let count = Swift.max(shape.reduce(1, *), 1)
        let draws = (minimumSampleCount + count - 1) / count
        var values: [Double] = []
        values.reserveCapacity(draws * count)
        for draw in 0..<draws { values += make(shape, seed: seed &+ UInt64(draw) &* 0x9E37, as: Double.self).scalars }
        return (values, draws)
    }

    func checkMoments(_ shape: [Int]) throws {
        guard let expectedMoments else { throw LawEnding.notApplicable("no declared moments") }
        let expected = expectedMoments(shape)
        let (values, drawCount) = draws(shape)
        let count = Double(values.count)
        let mean = values.reduce(0, +) / count
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count
        let fourth = values.reduce(0) { $0 + Foundation.pow($1 - mean, 4) } / count
        let kurtosis = variance > 0 ? Swift.max(fourth / (variance * variance), 1) : 1
        let fans = Candidate.fans(of: shape)
        let sample = "shape \(shape) (fanIn \(fans.fanIn), fanOut \(fans.fanOut)), \(drawCount) draws from seed \(seed)"
        let meanTolerance = Self.z * (Swift.max(expected.variance, 0) / count).squareRoot() + 1e-9 * Swift.max(1, Swift.abs(expected.mean))
        guard Swift.abs(mean - expected.mean) <= meanTolerance else {
            throw Violation("the mean is \(mean), the declared formula gives \(expected.mean) (tolerance \(meanTolerance))", sample: sample)
        }
        let relative = varianceTolerance ?? Self.z * ((kurtosis - 1) / count).squareRoot()
        let varianceSlack = relative * expected.variance + 1e-12
        guard Swift.abs(variance - expected.variance) <= varianceSlack else {
            throw Violation(
                "the variance is \(variance), the declared formula gives \(expected.variance) (ratio \(variance / expected.variance), "
                    + "tolerance ±\(String(format: "%.3g", relative)) relative)",
                sample: sample)
        }
    }

    func checkIndependence() throws {
        guard isRandom else { throw LawEnding.notApplicable("a deterministic rule") }
        for shape in [momentShape] + fanShapes {
            let count = shape.reduce(1, *)
            guard count > 1, let last = shape.last else { continue }
            let (values, _) = draws(shape)
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            guard variance > 0 else { continue }
            for lag in Set([1, last]) where lag < count {
                var sum = 0.0, pairs = 0
                for start in stride(from: 0, to: values.count, by: count) {
                    for index in start..<(start + count - lag) {
                        sum += (values[index] - mean) * (values[index + lag] - mean)
                        pairs += 1
                    }
                }
                let correlation = sum / Double(pairs) / variance
                let tolerance = Self.z / Double(pairs).squareRoot()
                guard Swift.abs(correlation) <= tolerance else {
                    throw Violation(
                        "values \(lag) apart are correlated: r = \(correlation) (tolerance \(tolerance))", sample: "shape \(shape), seed \(seed)")
                }
            }
        }
    }

    func checkDeterminism() throws {
        let shape = shapes.last ?? [16, 8]
        guard make(shape, seed: seed, as: Float.self) == make(shape, seed: seed, as: Float.self) else {
            throw Violation("two Float tensors from seed \(seed) differ", sample: "shape \(shape)")
        }
        guard make(shape, seed: seed, as: Double.self) == make(shape, seed: seed, as: Double.self) else {
            throw Violation("two Double tensors from seed \(seed) differ", sample: "shape \(shape)")
        }
        if isRandom, make(shape, seed: seed, as: Double.self) == make(shape, seed: seed &+ 1, as: Double.self) {
            throw Violation("seeds \(seed) and \(seed &+ 1) give the same Double tensor: the rule ignores its generator", sample: "shape \(shape)")
        }
        if isRandom, make(shape, seed: seed, as: Float.self) == make(shape, seed: seed &+ 1, as: Float.self) {
            throw Violation("seeds \(seed) and \(seed &+ 1) give the same Float tensor: the Float path ignores its generator", sample: "shape \(shape)")
        }
    }

    func checkShapes() throws {
        for shape in shapes {
            let float = make(shape, seed: seed, as: Float.self)
            let double = make(shape, seed: seed, as: Double.self)
            for (tensorShape, count) in [(float.shape, float.scalarCount), (double.shape, double.scalarCount)] {
                guard tensorShape == shape, count == shape.reduce(1, *) else {
                    throw Violation("asked for shape \(shape), got \(tensorShape) with \(count) values", sample: "shape \(shape)")
                }
            }
        }
    }
}
