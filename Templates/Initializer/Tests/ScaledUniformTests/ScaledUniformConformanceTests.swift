import KeelConformance
import ScaledUniform
import Testing

/// ScaledUniform keeps every initializer law against its documented formula: mean 0,
/// variance scale/fanIn.
@Suite struct ScaledUniformConformanceTests {
    static let suite = InitializerConformance(ScaledUniform(scale: 2)) { shape in
        InitializerMoments(mean: 0, variance: 2 / Double(ScaledUniform.fans(of: shape).fanIn))
    }

    @Test(arguments: InitializerLaw.allCases)
    func initializerLaw(_ law: InitializerLaw) throws {
        try Self.suite.check(law)
    }
}
