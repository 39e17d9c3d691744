import FeatureAffine
import KeelConformance
import Testing

/// FeatureAffine's backward matches central finite differences (on a matrix and a sequence
/// input) and its parameter keys are unique and stable.
@Suite struct FeatureAffineConformanceTests {
    @Test(arguments: LayerLaw.allCases)
    func layerLaw(_ law: LayerLaw) throws {
        try LayerConformance(FeatureAffine<Double>(featureCount: 3, seed: 1), inputShape: [4, 3]).check(law)
        try LayerConformance(FeatureAffine<Double>(featureCount: 3, seed: 2), inputShape: [5, 2, 3]).check(law)
    }
}
