import KeelConformance
import Testing

/// Every clipper law catches its mutant, and a correct clipper passes.
@Suite struct GradientClipperLawTests {
    static func checkMutant(for law: GradientClipperLaw) throws {
        switch law {
        case .identityBelowBound: try GradientClipperConformance(AlwaysScalingClipper()).check(law)
        case .guaranteeHolds: try GradientClipperConformance(LeakyClipper()).check(law)
        case .idempotent: try GradientClipperConformance(EpsilonClipper()).check(law)
        case .preservesDirection: try GradientClipperConformance(PerTensorPretendingGlobalClipper()).check(law)
        case .zeroStaysZero: try GradientClipperConformance(NaNOnZeroClipper()).check(law)
        case .readsCurrentGradients: try GradientClipperConformance(StaleNormClipper()).check(law)
        case .reportsWhatItDid: try GradientClipperConformance(CorpusNormClipper(.reportsInputNormAsOutput)).check(law)
        case .thresholdHonoured: try GradientClipperConformance(CorpusNormClipper(.thresholdSetterIgnored)).check(law)
        case .adaptiveBoundFollowsHistory: try GradientClipperConformance(CorpusQuantileClipper(bug: .certifiesItself)).check(law)
        }
    }

    @Test(arguments: GradientClipperLaw.allCases)
    func mutantIsCaught(law: GradientClipperLaw) {
        let failure = #expect(throws: ConformanceFailure.self) { try Self.checkMutant(for: law) }
        #expect(failure?.law == law.rawValue)
    }

    @Test(arguments: GradientClipperLaw.allCases)
    func referenceClipperPasses(law: GradientClipperLaw) throws {
        try GradientClipperConformance(ReferenceClipper()).check(law)
    }

    @Test func identityFailureShowsTheDifference() {
        let failure = #expect(throws: ConformanceFailure.self) {
            try GradientClipperConformance(AlwaysScalingClipper()).check(.identityBelowBound)
        }
        #expect(failure?.details.contains("bit for bit") == true)
        #expect(failure?.sample != nil)
    }

    @Test func adversarialSamplesAreTheDocumentedOnes() {
        let samples: [GradientSample<Float>] = GradientSamples.adversarial()
        #expect(samples.map(\.name) == [
            "tiny (1e-30)", "huge (1e30)", "mixed scale (1e-20 and 1e20)", "one-hot (1e3)", "zero", "moderate (‖g‖₂ = 10)",
        ])
        #expect(samples.allSatisfy { $0.gradients.nonFiniteCount == 0 })
        // Repeatable: the same seed gives the same samples.
        let again: [GradientSample<Float>] = GradientSamples.adversarial()
        #expect(zip(samples, again).allSatisfy { $0.gradients == $1.gradients })
    }
}
