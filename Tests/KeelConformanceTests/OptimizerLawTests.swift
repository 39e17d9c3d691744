import KeelConformance
import Testing

/// Every optimizer law catches its mutant, and a correct optimizer passes.
@Suite struct OptimizerLawTests {
    static let parabola = OptimizationSettings(learningRate: 0.1, steps: 300, tolerance: 1e-3)
    static let rosenbrock = OptimizationSettings(learningRate: 1e-3, steps: 20_000, tolerance: 0.1)

    static func suite<O: Optimizer>(_ optimizer: O, golden: GoldenTrajectory? = nil) -> OptimizerConformance<O> {
        OptimizerConformance(optimizer, parabola: parabola, rosenbrock: rosenbrock, goldenTrajectory: golden)
    }

    static let adamGolden = GoldenTrajectory(
        problem: .rosenbrock, learningRate: 0.01,
        points: referenceAdamTrajectory(on: .rosenbrock, learningRate: 0.01, steps: 50), tolerance: 1e-4)

    static func checkMutant(for law: OptimizerLaw) throws {
        switch law {
        case .convergesOnParabola, .convergesOnRosenbrock: try suite(AscendingSGD(learningRate: 0.1)).check(law)
        case .zeroGradientIsFixedPoint: try suite(DriftingSGD(learningRate: 0.1)).check(law)
        case .firstStepLinearInLearningRate: try suite(SquareRootRateSGD(learningRate: 0.1)).check(law)
        case .matchesGoldenTrajectory: try suite(AdamIgnoringBeta2(learningRate: 0.01), golden: adamGolden).check(law)
        case .oneStateAdvancePerApply: try MutantCorpus.adamSuite(CorpusAdam(.biasCorrectionFromContext)).check(law)
        case .weightDecayAsDeclared: try MutantCorpus.adamSuite(CorpusAdam(.couplesDecay, weightDecay: 0.01)).check(law)
        case .firstStepAsDeclared: try MutantCorpus.adamSuite(CorpusAdam(.noBiasCorrection)).check(law)
        case .scaleInvariance: try MutantCorpus.adamSuite(CorpusAdam(.none, learningRate: 0.05).withEpsilon(0.1)).check(law)
        case .reportsLearningRate: try MutantCorpus.adamSuite(CorpusAdam(.noLearningRateReport)).check(law)
        case .honorsLearningRateMultiplier: try MutantCorpus.adamSuite(CorpusAdam(.ignoresLearningRateMultiplier)).check(law)
        case .matchesReference: try MutantCorpus.adaBeliefSuite(CorpusAdaBelief(.tracksSquaredGradient)).check(law)
        }
    }

    @Test(arguments: OptimizerLaw.allCases)
    func mutantIsCaught(law: OptimizerLaw) {
        let failure = #expect(throws: ConformanceFailure.self) { try Self.checkMutant(for: law) }
        #expect(failure?.law == law.rawValue)
    }

    @Test(arguments: OptimizerLaw.allCases)
    func referenceSGDPasses(law: OptimizerLaw) throws {
        try Self.suite(ReferenceSGD(learningRate: 0.1)).check(law)
    }

    /// Without a golden trajectory or a reference, the math is "not verified", never a pass.
    @Test func missingReferencesAreNotVerified() {
        let results = Self.suite(ReferenceSGD(learningRate: 0.1)).results()
        #expect(results.first { $0.law == "matchesReference" }?.status == .notVerified)
        #expect(results.first { $0.law == "matchesGoldenTrajectory" }?.status == .notVerified)
        #expect(results.first { $0.law == "firstStepAsDeclared" }?.status == .notApplicable)
    }

    @Test func builtInAdamMatchesTheIndependentGoldenTrajectory() throws {
        try Self.suite(Adam<Float>(learningRate: 0.01), golden: Self.adamGolden).check(.matchesGoldenTrajectory)
    }
}
