// The code of the article "Writing a custom clipper" (KeelConformance.docc), compiled and tested
// here; DocumentationSnippetTests checks that every Swift block of the article appears verbatim.
import KeelConformance
import Testing

/// Clips every tensor of the updates to its own maximal L2 norm: gₜ ← gₜ·c/‖gₜ‖ when ‖gₜ‖ > c.
public struct LayerwiseNormClipper<Scalar: TensorScalar>: ThresholdClipper {
    public typealias State = EmptyTransformState

    public var maxNorm: Double

    public init(maxNorm: Double) {
        precondition(maxNorm > 0, "LayerwiseNormClipper: maxNorm must be > 0, got \(maxNorm)")
        self.maxNorm = maxNorm
    }

    public var threshold: Double {
        get { maxNorm }
        set { maxNorm = newValue }
    }

    public var guarantee: ClippingGuarantee { .perTensorNorm(max: maxNorm) }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        var clipped = 0
        var squaresBefore = 0.0, squaresAfter = 0.0
        for index in updates.indices {
            updates.withTensor(at: index) { tensor in
                let squares = tensor.sumOfSquares()
                squaresBefore += squares
                let norm = squares.squareRoot()
                // Untouched below the bound: no multiplication by a rounded 1.
                if norm > maxNorm {
                    tensor *= Scalar(maxNorm / norm)
                    clipped += 1
                }
                squaresAfter += tensor.sumOfSquares()
            }
        }
        // Norms are global L2 (the guarantee is per tensor, so there is no single coefficient).
        context.reports.append(
            .clip(ClipReport(
                transform: "LayerwiseNormClipper", fired: clipped > 0, normBefore: squaresBefore.squareRoot(),
                normAfter: squaresAfter.squareRoot(), threshold: maxNorm,
                detail: "\(clipped) of \(updates.count) tensors clipped")))
    }
}

@Suite struct LayerwiseNormClipperConformanceTests {
    static let suite = GradientClipperConformance(LayerwiseNormClipper<Float>(maxNorm: 0.5))

    @Test(arguments: GradientClipperLaw.allCases)
    func clipperLaw(_ law: GradientClipperLaw) throws {
        try Self.suite.check(law)
    }

    @Test(arguments: GradientTransformLaw.allCases)
    func transformLaw(_ law: GradientTransformLaw) throws {
        try Self.suite.check(law)
    }
}

@Test func reportingEveryLawFromAPlainProgram() {
    for result in GradientClipperConformance(LayerwiseNormClipper<Float>(maxNorm: 0.5)).results() {
        print(result)  // ✔ LayerwiseNormClipper<Float>: identityBelowBound …
    }
}
