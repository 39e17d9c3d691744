import KeelConformance
import Testing

/// Every transform law catches its mutant, and a correct transform passes.
@Suite struct GradientTransformLawTests {
    /// The mutant each law must catch; the switch is exhaustive, so a new law without a mutant
    /// does not compile.
    static func checkMutant(for law: GradientTransformLaw) throws {
        switch law {
        case .keysAndShapesPreserved: try GradientTransformConformance(RenamingTransform()).check(law)
        case .deterministic: try GradientTransformConformance(NoisyTransform()).check(law)
        case .valueSemantics: try GradientTransformConformance(AliasingMomentum()).check(law)
        case .codableRoundTrip: try GradientTransformConformance(ForgetfulMomentum()).check(law)
        case .compositionInvariance: try GradientTransformConformance(ReportCountingTransform()).check(law)
        case .finiteInFiniteOut: try GradientTransformConformance(NormalizingTransform()).check(law)
        case .advancesOncePerApply: try GradientTransformConformance(LazyMomentum()).check(law)
        }
    }

    @Test(arguments: GradientTransformLaw.allCases)
    func mutantIsCaught(law: GradientTransformLaw) {
        let failure = #expect(throws: ConformanceFailure.self) { try Self.checkMutant(for: law) }
        #expect(failure?.law == law.rawValue)
        #expect(failure?.seed == 0x5EED)
    }

    @Test func hiddenStateOutsideTheStateIsCaught() {
        let failure = #expect(throws: ConformanceFailure.self) {
            try GradientTransformConformance(HiddenStateTransform()).check(.advancesOncePerApply)
        }
        #expect(failure?.details.contains("hidden state") == true)
    }

    @Test(arguments: GradientTransformLaw.allCases)
    func correctTransformsPass(law: GradientTransformLaw) throws {
        try GradientTransformConformance(ReferenceClipper()).check(law)
        try GradientTransformConformance(ReferenceSGD(learningRate: 0.1)).check(law)
    }

    @Test func failureNamesComponentLawAndSmallestSample() {
        let failure = #expect(throws: ConformanceFailure.self) {
            try GradientTransformConformance(NormalizingTransform(), name: "Normalizer").check(.finiteInFiniteOut)
        }
        #expect(failure?.component == "Normalizer")
        // Shrunk to a single parameter: the smallest tensor, output.bias [2].
        #expect(failure?.sample?.contains("output.bias [2]") == true)
        #expect(failure?.sample?.contains("hidden.weight") == false)
        #expect(failure?.description.contains("Normalizer violates finiteInFiniteOut") == true)
    }

    @Test func resultsListEveryLaw() {
        let results = GradientTransformConformance(RenamingTransform()).results()
        #expect(results.map(\.law) == GradientTransformLaw.allCases.map(\.rawValue))
        #expect(results.first { $0.law == "keysAndShapesPreserved" }?.passed == false)
        #expect(results.first { $0.law == "deterministic" }?.passed == true)
    }
}
