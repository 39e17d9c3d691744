import KeelConformance
import SoftClipper
import Testing

/// SoftClipper keeps every clipper law and every gradient-transform law.
@Suite struct SoftClipperConformanceTests {
    static let suite = GradientClipperConformance(SoftClipper<Float>(maxNorm: 1))

    @Test(arguments: GradientClipperLaw.allCases)
    func clipperLaw(_ law: GradientClipperLaw) throws {
        try Self.suite.check(law)
    }

    @Test(arguments: GradientTransformLaw.allCases)
    func transformLaw(_ law: GradientTransformLaw) throws {
        try Self.suite.check(law)
    }
}
