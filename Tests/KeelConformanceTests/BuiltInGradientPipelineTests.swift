import Foundation
import KeelConformance
import Testing

/// A built-in component, type-erased for a table-driven test.
struct ComponentCase<Law: ConformanceLaw>: Sendable, CustomStringConvertible {
    var description: String
    /// Laws the component is known to break, with the reason (a bug reported, not yet fixed).
    var knownIssues: [Law: String] = [:]
    var check: @Sendable (Law) throws -> Void
    /// The whole suite at another seed, for the seed sweep.
    var sweep: (@Sendable (UInt64) -> [LawResult])?

    init(
        description: String, knownIssues: [Law: String] = [:], sweep: (@Sendable (UInt64) -> [LawResult])? = nil,
        check: @escaping @Sendable (Law) throws -> Void
    ) {
        self.description = description
        self.knownIssues = knownIssues
        self.sweep = sweep
        self.check = check
    }

    /// Checks `law`, recording a known issue instead of a failure where one is declared.
    func verify(_ law: Law) throws {
        if let reason = knownIssues[law] {
            withKnownIssue(Comment(rawValue: reason)) { try check(law) }
        } else {
            try check(law)
        }
    }
}

/// Every built-in clipper keeps every clipper law and every transform law.
@Suite struct BuiltInClipperTests {
    static func clipper<C: GradientClipper>(_ clipper: C, _ name: String, ceiling: Double? = nil) -> ComponentCase<GradientClipperLaw> {
        ComponentCase(description: name) { try GradientClipperConformance(clipper, name: name, adaptiveCeiling: ceiling).check($0) }
    }

    /// Every clipper's full suite (clipper and transform laws) at a seed, for the seed sweep.
    static let sweep: [(String, @Sendable (UInt64) -> [LawResult])] = {
        func suite<C: GradientClipper>(_ clipper: C, _ name: String, ceiling: Double? = nil) -> (String, @Sendable (UInt64) -> [LawResult]) {
            (name, { GradientClipperConformance(clipper, name: name, seed: $0, adaptiveCeiling: ceiling).results() })
        }
        return [
            suite(GlobalNormClipper<Float>(maxNorm: 1), "GlobalNormClipper(l2)"),
            suite(GlobalNormClipper<Float>(maxNorm: 1, norm: .l1), "GlobalNormClipper(l1)"),
            suite(GlobalNormClipper<Float>(maxNorm: 1, norm: .infinity), "GlobalNormClipper(∞)"),
            suite(NormClipper<Float>(maxNorm: 1), "NormClipper"),
            suite(ValueClipper<Float>(maxValue: 0.5), "ValueClipper"),
            suite(BlockRMSClipper<Float>(threshold: 0.3), "BlockRMSClipper"),
            suite(AdaptiveGradientClipper<Float>(clipping: 0.05), "AdaptiveGradientClipper"),
            suite(AutoClipper<Float>(percentile: 90), "AutoClipper"),
            suite(ZScoreClipper<Float>(), "ZScoreClipper"),
            suite(ZScoreClipper<Float>(maxGradNorm: 5, response: .mean), "ZScoreClipper(mean, ceiling)", ceiling: 5),
            suite(SpikeClipper<Float>(), "SpikeClipper"),
        ]
    }()

    static func transform<C: GradientClipper>(_ clipper: C, _ name: String) -> ComponentCase<GradientTransformLaw> {
        ComponentCase(description: name) { try GradientClipperConformance(clipper, name: name).check($0) }
    }

    static let clippers: [ComponentCase<GradientClipperLaw>] = [
        clipper(GlobalNormClipper<Float>(maxNorm: 1), "GlobalNormClipper(l2)"),
        clipper(GlobalNormClipper<Float>(maxNorm: 1, norm: .l1), "GlobalNormClipper(l1)"),
        clipper(GlobalNormClipper<Float>(maxNorm: 1, norm: .infinity), "GlobalNormClipper(∞)"),
        clipper(GlobalNormClipper<Double>(maxNorm: 1), "GlobalNormClipper<Double>"),
        clipper(NormClipper<Float>(maxNorm: 1), "NormClipper"),
        clipper(ValueClipper<Float>(maxValue: 0.5), "ValueClipper"),
        clipper(BlockRMSClipper<Float>(threshold: 0.3), "BlockRMSClipper"),
        clipper(AdaptiveGradientClipper<Float>(clipping: 0.05), "AdaptiveGradientClipper"),
        clipper(AutoClipper<Float>(percentile: 90), "AutoClipper"),
        clipper(ZScoreClipper<Float>(), "ZScoreClipper"),
        clipper(ZScoreClipper<Float>(maxGradNorm: 5, response: .mean), "ZScoreClipper(mean, ceiling)", ceiling: 5),
        clipper(SpikeClipper<Float>(), "SpikeClipper"),
    ]

    static let clipperTransforms: [ComponentCase<GradientTransformLaw>] = [
        transform(GlobalNormClipper<Float>(maxNorm: 1), "GlobalNormClipper"),
        transform(NormClipper<Float>(maxNorm: 1), "NormClipper"),
        transform(ValueClipper<Float>(maxValue: 0.5), "ValueClipper"),
        transform(BlockRMSClipper<Float>(threshold: 0.3), "BlockRMSClipper"),
        transform(AdaptiveGradientClipper<Float>(clipping: 0.05), "AdaptiveGradientClipper"),
        transform(AutoClipper<Float>(percentile: 90), "AutoClipper"),
        transform(ZScoreClipper<Float>(warmupSteps: 2), "ZScoreClipper"),
        transform(SpikeClipper<Float>(), "SpikeClipper"),
    ]

    @Test(arguments: clippers, GradientClipperLaw.allCases)
    func clipperLaw(component: ComponentCase<GradientClipperLaw>, law: GradientClipperLaw) throws {
        try component.verify(law)
    }

    @Test(arguments: clipperTransforms, GradientTransformLaw.allCases)
    func transformLaw(component: ComponentCase<GradientTransformLaw>, law: GradientTransformLaw) throws {
        try component.verify(law)
    }
}

/// Every built-in optimizer keeps every optimizer law and every transform law.
@Suite struct BuiltInOptimizerTests {
    static func optimizer<O: Optimizer>(
        _ optimizer: O, _ name: String, parabola: OptimizationSettings, rosenbrock: OptimizationSettings,
        reference: ScalarOptimizerReference? = nil, weightDecay: DeclaredWeightDecay = .none, firstStep: DeclaredFirstStep? = nil,
        scaleInvariant: Bool = false, knownIssues: [GradientTransformLaw: String] = [:]
    ) -> (ComponentCase<OptimizerLaw>, ComponentCase<GradientTransformLaw>, (String, @Sendable (UInt64) -> [LawResult])) {
        let suite = OptimizerConformance(
            optimizer, name: name, parabola: parabola, rosenbrock: rosenbrock, reference: reference, weightDecay: weightDecay,
            firstStep: firstStep, scaleInvariant: scaleInvariant)
        return (
            ComponentCase(description: name) { try suite.check($0) },
            ComponentCase(description: name, knownIssues: knownIssues) { try suite.check($0) },
            (name, { seed in
                var seeded = suite
                seeded.seed = seed
                // The convergence laws draw nothing from the seed.
                return OptimizerLaw.allCases.filter { $0 != .convergesOnParabola && $0 != .convergesOnRosenbrock }.map(seeded.evaluate)
                    + GradientTransformConformance(optimizer, name: name, seed: seed).results()
            })
        )
    }



    /// PyTorch's SGD for one coordinate (momentum μ, coupled decay λ), written from its docs.
    static func sgdReference(momentum: Double = 0, nesterov: Bool = false, decay: Double = 0) -> ScalarOptimizerReference {
        { gradients, parameters, rate in
            var velocity: Double?
            return gradients.indices.map { k in
                let g = gradients[k] + decay * parameters[k]
                guard momentum != 0 else { return -rate * g }
                let v = velocity.map { momentum * $0 + g } ?? g
                velocity = v
                return -rate * (nesterov ? g + momentum * v : v)
            }
        }
    }

    /// PyTorch's Adam/AdamW for one coordinate (β = 0.9, 0.999, ε = 1e-8), written from its docs.
    static func adamReference(coupled: Double = 0, decoupled: Double = 0) -> ScalarOptimizerReference {
        { gradients, parameters, rate in
            var m = 0.0, v = 0.0
            return gradients.indices.map { k in
                let t = Double(k + 1)
                let g = gradients[k] + coupled * parameters[k]
                m = 0.9 * m + 0.1 * g
                v = 0.999 * v + 0.001 * g * g
                let step = (m / (1 - Foundation.pow(0.9, t))) / ((v / (1 - Foundation.pow(0.999, t))).squareRoot() + 1e-8)
                return -rate * decoupled * parameters[k] - rate * step
            }
        }
    }

    static let cases = [
        optimizer(
            SGD<Float>(learningRate: 0.1), "SGD",
            parabola: .init(learningRate: 0.1, steps: 300, tolerance: 1e-2),
            rosenbrock: .init(learningRate: 1e-3, steps: 20_000, tolerance: 0.1),
            reference: sgdReference(), firstStep: .gradientTimesLearningRate),
        optimizer(
            SGD<Float>(learningRate: 0.05, momentum: 0.9, nesterov: true), "SGD(momentum 0.9, Nesterov)",
            parabola: .init(learningRate: 0.05, steps: 300, tolerance: 1e-2),
            rosenbrock: .init(learningRate: 2e-4, steps: 10_000, tolerance: 0.1),
            reference: sgdReference(momentum: 0.9, nesterov: true)),
        optimizer(
            SGD<Float>(learningRate: 0.05, momentum: 0.9, weightDecay: 0.01), "SGD(momentum 0.9, L2 0.01)",
            parabola: .init(learningRate: 0.05, steps: 300, tolerance: 2e-2),
            rosenbrock: .init(learningRate: 2e-4, steps: 10_000, tolerance: 0.2),
            reference: sgdReference(momentum: 0.9, decay: 0.01), weightDecay: .coupled(0.01), firstStep: .gradientTimesLearningRate),
        optimizer(
            Adam<Float>(learningRate: 0.05), "Adam",
            parabola: .init(learningRate: 0.05, steps: 1000, tolerance: 1e-2),
            rosenbrock: .init(learningRate: 0.02, steps: 5000, tolerance: 0.1),
            reference: adamReference(), firstStep: .normalized(epsilon: 1e-8), scaleInvariant: true),
        optimizer(
            Adam<Float>(learningRate: 0.05, weightDecay: 0.01), "Adam(L2 0.01)",
            parabola: .init(learningRate: 0.05, steps: 1000, tolerance: 2e-2),
            rosenbrock: .init(learningRate: 0.02, steps: 5000, tolerance: 0.2),
            reference: adamReference(coupled: 0.01), weightDecay: .coupled(0.01), firstStep: .normalized(epsilon: 1e-8)),
        optimizer(
            Adam<Float>(learningRate: 0.05, amsgrad: true), "Adam(AMSGrad)",
            parabola: .init(learningRate: 0.05, steps: 1000, tolerance: 1e-2),
            rosenbrock: .init(learningRate: 0.02, steps: 5000, tolerance: 0.1),
            firstStep: .normalized(epsilon: 1e-8), scaleInvariant: true),
        optimizer(
            AdamW<Float>(learningRate: 0.05, weightDecay: 0), "AdamW",
            parabola: .init(learningRate: 0.05, steps: 1000, tolerance: 1e-2),
            rosenbrock: .init(learningRate: 0.02, steps: 5000, tolerance: 0.1),
            reference: adamReference(), firstStep: .normalized(epsilon: 1e-8), scaleInvariant: true),
        optimizer(
            AdamW<Float>(learningRate: 0.05, weightDecay: 0.01), "AdamW(decoupled 0.01)",
            parabola: .init(learningRate: 0.05, steps: 1000, tolerance: 2e-2),
            rosenbrock: .init(learningRate: 0.02, steps: 5000, tolerance: 0.2),
            reference: adamReference(decoupled: 0.01), weightDecay: .decoupled(0.01), firstStep: .normalized(epsilon: 1e-8)),
        optimizer(
            RMSprop<Float>(learningRate: 0.01), "RMSprop",
            parabola: .init(learningRate: 0.01, steps: 1000, tolerance: 2e-2),
            rosenbrock: .init(learningRate: 1e-3, steps: 10_000, tolerance: 0.1),
            scaleInvariant: true),
        optimizer(
            // Not declared scale-invariant: the centred denominator √(v − m²) approaches ε.
            RMSprop<Float>(learningRate: 0.01, momentum: 0.5, centered: true), "RMSprop(centered, momentum)",
            parabola: .init(learningRate: 0.01, steps: 1000, tolerance: 2e-2),
            rosenbrock: .init(learningRate: 1e-3, steps: 10_000, tolerance: 0.1)),
        optimizer(
            Adagrad<Float>(learningRate: 0.5), "Adagrad",
            parabola: .init(learningRate: 0.5, steps: 1000, tolerance: 1e-2),
            rosenbrock: .init(learningRate: 0.5, steps: 10_000, tolerance: 0.1),
            firstStep: .normalized(epsilon: 1e-10), scaleInvariant: true),
        optimizer(
            Lion<Float>(learningRate: 3e-3), "Lion",
            parabola: .init(learningRate: 3e-3, steps: 1000, tolerance: 2e-2),
            rosenbrock: .init(learningRate: 1e-3, steps: 10_000, tolerance: 0.1),
            firstStep: .sign, scaleInvariant: true),
    ]

    @Test(arguments: cases.map { $0.0 }, OptimizerLaw.allCases)
    func optimizerLaw(component: ComponentCase<OptimizerLaw>, law: OptimizerLaw) throws {
        try component.verify(law)
    }

    @Test(arguments: cases.map { $0.1 }, GradientTransformLaw.allCases)
    func transformLaw(component: ComponentCase<GradientTransformLaw>, law: GradientTransformLaw) throws {
        try component.verify(law)
    }
}

/// The other built-in transforms keep every transform law.
@Suite struct BuiltInTransformTests {
    static func transform<T: GradientTransform>(_ transform: T, _ name: String) -> ComponentCase<GradientTransformLaw> {
        ComponentCase(description: name) { try GradientTransformConformance(transform, name: name).check($0) }
    }

    static let cases: [ComponentCase<GradientTransformLaw>] = [
        transform(IdentityTransform<Float>(), "Identity"),
        transform(Scale<Float>(-0.1), "Scale"),
        transform(ZeroNonFinite<Float>(), "ZeroNonFinite"),
        transform(L1Regularization<Float>(coefficient: 0.01), "L1Regularization"),
        transform(L2Regularization<Float>(coefficient: 0.01), "L2Regularization"),
        transform(DecoupledWeightDecay<Float>(rate: 0.01, learningRate: 0.1), "DecoupledWeightDecay"),
        transform(Accumulate(Adam<Float>(learningRate: 0.01), steps: 2), "Accumulate(Adam, 2)"),
        transform(ApplyIfFinite(Adam<Float>(learningRate: 0.01), maxConsecutiveErrors: 2), "ApplyIfFinite(Adam)"),
        transform(Masked(Adam<Float>(learningRate: 0.01)) { $0.name == "weight" }, "Masked(Adam)"),
        transform(
            InjectHyperparameters(GlobalNormClipper<Float>(maxNorm: 1)) { 1 + Double($0) }, "InjectHyperparameters(clipper)"),
        transform(
            Chain { GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 0.01) }, "Chain(clip, Adam)"),
    ]

    @Test(arguments: cases, GradientTransformLaw.allCases)
    func transformLaw(component: ComponentCase<GradientTransformLaw>, law: GradientTransformLaw) throws {
        try component.verify(law)
    }
}
