import KeelConformance
import SmoothedGradients
import Testing

/// SmoothedGradients keeps every transform law over 32 steps of varying gradients: keys and
/// shapes, determinism, value semantics, JSON round trips mid-run, composition, finiteness and one
/// state advance per apply.
@Suite struct SmoothedGradientsConformanceTests {
    static let suite = GradientTransformConformance(SmoothedGradients<Float>(beta: 0.9))

    @Test(arguments: GradientTransformLaw.allCases)
    func transformLaw(_ law: GradientTransformLaw) throws {
        try Self.suite.check(law)
    }
}
