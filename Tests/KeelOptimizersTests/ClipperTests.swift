import Foundation
import Testing
import KeelOptimizers

/// Adversarial gradient sets: the guarantee of every clipper must hold on all of them.
private let adversarialSamples: [(name: String, set: ParameterSet<Double>)] = [
    ("normal", pipelineRandomSet(seed: 40)),
    ("tiny", pipelineRandomSet(seed: 41, scale: 1e-30)),
    ("huge", pipelineRandomSet(seed: 42, scale: 1e30)),
    ("mixed", pipelineSet { key, i in key == "layer.weight" ? 1e20 * Double(i - 5) : 1e-20 * Double(i + 1) }),
    ("one-hot", pipelineSet { key, i in key == "head.weight" && i == 2 ? -1e3 : 0 }),
    ("zero", pipelineSet { _, _ in 0 }),
    ("large", pipelineRandomSet(seed: 43, scale: 50)),
]

/// Weights for AGC: rows of very different norms, one zero row.
private let agcWeights = pipelineSet { key, i in key == "layer.weight" ? (i < 3 ? 0 : Double(i) * 0.3) : 0.5 }

/// Checks `clipper`'s declared guarantee on `output`, with `report` the step's report.
private func guaranteeHolds(
    _ guarantee: ClippingGuarantee, _ output: ParameterSet<Double>, report: TransformReport, weights: ParameterSet<Double>
) -> Bool {
    let slack = 1 + 1e-12
    switch guarantee {
    case .globalNorm(let max, let norm):
        return output.globalNorm(norm) <= max * slack
    case .elementwise(let max):
        return output.tensors.allSatisfy { $0.norm(.infinity) <= max }
    case .perTensorNorm(let max):
        return output.tensors.allSatisfy { $0.norm(.l2) <= max * slack }
    case .perTensorRMS(let max):
        return output.tensors.allSatisfy { ($0.sumOfSquares() / Double($0.scalarCount)).squareRoot() <= max * slack }
    case .unitwiseRatio(let clipping, let epsilon):
        for (key, tensor) in output {
            let weight = weights[key]
            let rows = tensor.rank >= 2 ? tensor.shape[0] : 1
            let length = tensor.scalarCount / rows
            for row in 0..<rows {
                let g = tensor.scalars[row * length..<(row + 1) * length]
                let w = weight.scalars[row * length..<(row + 1) * length]
                let gNorm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
                let wNorm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
                if gNorm > clipping * max(wNorm, epsilon) * slack { return false }
            }
        }
        return true
    case .adaptiveGlobalNorm(let norm):
        return report.clip?.threshold.map { output.globalNorm(norm) <= $0 * slack } ?? true
    case .secondMomentRatio:
        return true
    }
}

@Suite struct ClipperTests {
    private static func checkGuarantee<C: GradientClipper>(_ clipper: C) throws where C.Scalar == Double {
        var state = clipper.makeState(for: agcWeights)
        for (name, sample) in adversarialSamples + adversarialSamples {
            let (output, reports) = try pipelineStep(clipper, sample, state: &state, parameters: agcWeights)
            let report = try #require(reports.last, "\(C.self) on \(name): no report")
            #expect(reports.count == 1)
            #expect(guaranteeHolds(clipper.guarantee, output, report: report, weights: agcWeights), "\(C.self) on \(name)")
            #expect(output.nonFiniteCount == 0, "\(C.self) on \(name): non-finite output")
            if name == "zero" { #expect(output == sample, "\(C.self): zero must stay zero") }
            if !report.fired { #expect(pipelineBits(output) == pipelineBits(sample), "\(C.self) on \(name): not fired but changed") }
        }
    }

    @Test func guaranteesHoldOnAdversarialSamples() throws {
        try Self.checkGuarantee(ValueClipper<Double>(maxValue: 0.5))
        try Self.checkGuarantee(NormClipper<Double>(maxNorm: 1))
        for norm in [VectorNorm.l2, .l1, .infinity] { try Self.checkGuarantee(GlobalNormClipper<Double>(maxNorm: 1, norm: norm)) }
        try Self.checkGuarantee(BlockRMSClipper<Double>(threshold: 0.1))
        try Self.checkGuarantee(AdaptiveGradientClipper<Double>(clipping: 0.01))
        try Self.checkGuarantee(AutoClipper<Double>(percentile: 30, historyLimit: 5))
        try Self.checkGuarantee(ZScoreClipper<Double>(zThreshold: 1, warmupSteps: 3, maxGradNorm: 10))
        try Self.checkGuarantee(SpikeClipper<Double>(theta: 10))
    }

    @Test func guaranteeCheckerCatchesViolations() {
        // The checker above must fail on outputs that break each bound (a checker that cannot fail
        // is a defect).
        let large = pipelineRandomSet(seed: 48, scale: 10)
        let report = TransformReport.clip(ClipReport(transform: "Mutant", fired: false, normBefore: 100, normAfter: 100, threshold: 1))
        let violated: [ClippingGuarantee] = [
            .globalNorm(max: 1, norm: .l2), .globalNorm(max: 1, norm: .infinity), .elementwise(max: 1),
            .perTensorNorm(max: 1), .perTensorRMS(max: 1), .unitwiseRatio(clipping: 0.01, epsilon: 1e-3),
            .adaptiveGlobalNorm(norm: .l2),
        ]
        for guarantee in violated {
            #expect(!guaranteeHolds(guarantee, large, report: report, weights: agcWeights), "\(guarantee)")
        }
        // A clipper whose threshold is 1% too lenient is caught too.
        let almost = large.scaled(by: 1.01 / large.globalNorm())
        #expect(!guaranteeHolds(.globalNorm(max: 1, norm: .l2), almost, report: report, weights: agcWeights))
    }

    @Test func floatGlobalNormClippingKeepsTheBoundOnHugeAndTinyValues() throws {
        let clipper = GlobalNormClipper<Float>(maxNorm: 1)
        var state = EmptyTransformState()
        for scale: Float in [1e30, 1e-30, 1] {
            var generator = Xoshiro256StarStar(seed: 9)
            let sample = ParameterSet<Float>([("w", Tensor<Float>(randomNormal: [64, 16], standardDeviation: scale, using: &generator))])
            let (output, report) = try pipelineStep(clipper, sample, state: &state)
            #expect(output.globalNorm() <= 1 + 1e-6)
            #expect(output.nonFiniteCount == 0)
            #expect(report[0].fired == (scale >= 1))
        }
    }

    @Test func belowThresholdEveryClipperIsAnExactIdentity() throws {
        let sample = pipelineRandomSet(seed: 44, scale: 1e-3)
        func identity<C: GradientClipper>(_ clipper: C) throws where C.Scalar == Double {
            var state = clipper.makeState(for: sample)
            for step in 0..<3 {
                let (output, reports) = try pipelineStep(clipper, sample, state: &state, step: step, parameters: pipelineRandomSet(seed: 45))
                #expect(pipelineBits(output) == pipelineBits(sample), "\(C.self)")
                #expect(reports.map(\.fired) == [false], "\(C.self)")
            }
        }
        try identity(ValueClipper<Double>(maxValue: 1))
        try identity(NormClipper<Double>(maxNorm: 1))
        try identity(GlobalNormClipper<Double>(maxNorm: 1))
        try identity(GlobalNormClipper<Double>(maxNorm: 1, norm: .infinity))
        try identity(BlockRMSClipper<Double>(threshold: 1))
        try identity(AdaptiveGradientClipper<Double>(clipping: 1))
        try identity(AutoClipper<Double>(percentile: 50))
        try identity(ZScoreClipper<Double>(warmupSteps: 1))
        try identity(SpikeClipper<Double>())
    }

    @Test func clippingIsIdempotentAndNormClippersKeepTheDirection() throws {
        let sample = pipelineRandomSet(seed: 46, scale: 10)
        func idempotent<C: GradientClipper>(_ clipper: C, direction: Bool) throws where C.Scalar == Double {
            var state = clipper.makeState(for: sample)
            let once = try pipelineStep(clipper, sample, state: &state, parameters: agcWeights).output
            var fresh = clipper.makeState(for: sample)
            let twice = try pipelineStep(clipper, once, state: &fresh, parameters: agcWeights).output
            #expect(pipelineClose(twice, once, tolerance: 1e-14), "\(C.self)")
            if direction {
                let ratio = once.tensors[0].scalars[0] / sample.tensors[0].scalars[0]
                #expect(pipelineClose(once, sample.scaled(by: ratio), tolerance: 1e-14), "\(C.self)")
                #expect(ratio > 0 && ratio < 1)
            }
        }
        try idempotent(ValueClipper<Double>(maxValue: 0.5), direction: false)
        try idempotent(NormClipper<Double>(maxNorm: 1), direction: false)
        try idempotent(GlobalNormClipper<Double>(maxNorm: 1), direction: true)
        try idempotent(GlobalNormClipper<Double>(maxNorm: 1, norm: .l1), direction: true)
        try idempotent(GlobalNormClipper<Double>(maxNorm: 1, norm: .infinity), direction: true)
        try idempotent(BlockRMSClipper<Double>(threshold: 0.5), direction: false)
        try idempotent(AdaptiveGradientClipper<Double>(clipping: 0.05), direction: false)
    }

    @Test func globalNormClipperReportsAndUsesNoEpsilon() throws {
        let sample = pipelineSet { key, i in key == "layer.bias" && i == 0 ? 3 : (key == "layer.bias" && i == 1 ? 4 : 0) }
        var state = EmptyTransformState()
        let (output, reports) = try pipelineStep(GlobalNormClipper<Double>(maxNorm: 1), sample, state: &state)
        #expect(output["layer.bias"].scalars == [3 * 0.2, 4 * 0.2, 0])
        #expect(reports == [.clip(ClipReport(transform: "GlobalNormClipper", fired: true, normBefore: 5, normAfter: 1, coefficient: 0.2, threshold: 1))])
    }

    @Test func globalNormClipperNonFinitePolicies() throws {
        var sample = pipelineRandomSet(seed: 47, scale: 10)
        sample["head.weight"] = Tensor(shape: [2, 2], scalars: [1, .nan, .infinity, 2])
        var state = EmptyTransformState()

        let propagated = try pipelineStep(GlobalNormClipper<Double>(maxNorm: 1), sample, state: &state)
        #expect(pipelineBits(propagated.output) == pipelineBits(sample))
        #expect(propagated.reports[0].detail == "non-finite gradient in head.weight")

        do {
            _ = try pipelineStep(GlobalNormClipper<Double>(maxNorm: 1, nonFinitePolicy: .throwError), sample, state: &state)
            Issue.record("expected a throw")
        } catch GradientTransformError.nonFiniteGradient(let transform, let key, let norm) {
            #expect(transform == "GlobalNormClipper" && key == "head.weight" && norm.isNaN)
        }

        let skipped = try pipelineStep(GlobalNormClipper<Double>(maxNorm: 1, nonFinitePolicy: .skipUpdate), sample, state: &state)
        #expect(skipped.output == sample.zerosLike())

        let zeroed = try pipelineStep(GlobalNormClipper<Double>(maxNorm: 1, nonFinitePolicy: .zeroNonFinite), sample, state: &state)
        #expect(zeroed.output.nonFiniteCount == 0)
        #expect(abs(zeroed.output.globalNorm() - 1) < 1e-12)
        #expect(zeroed.output["head.weight"].scalars[1] == 0)
    }

    @Test func valueClipperClampsInfinitiesAndKeepsNaN() throws {
        let sample = ParameterSet<Double>([("x", Tensor([.infinity, -.infinity, .nan, 0.25, -7]))])
        var state = EmptyTransformState()
        let (output, reports) = try pipelineStep(ValueClipper<Double>(maxValue: 1), sample, state: &state)
        let scalars = output["x"].scalars
        #expect(scalars[0] == 1 && scalars[1] == -1 && scalars[2].isNaN && scalars[3] == 0.25 && scalars[4] == -1)
        #expect(reports[0].fired)
    }

    @Test func agcUnitsAreRowsOfOutInWeights() throws {
        // Row 0 has weight norm 1, row 1 weight norm 100; every gradient row has norm 1.
        let weights = ParameterSet<Double>([("dense.weight", Tensor(shape: [2, 3], scalars: [1, 0, 0, 0, 100, 0]))])
        let gradients = ParameterSet<Double>([("dense.weight", Tensor(shape: [2, 3], scalars: [0, 0.6, 0.8, 0.8, 0, 0.6]))])
        let clipper = AdaptiveGradientClipper<Double>(clipping: 0.1)
        var state = EmptyTransformState()
        let (output, reports) = try pipelineStep(clipper, gradients, state: &state, parameters: weights)
        let rows = output["dense.weight"].scalars
        #expect(pipelineClose(ParameterSet([("r", Tensor(Array(rows[0..<3])))]), ParameterSet([("r", Tensor([0, 0.06, 0.08]))]), tolerance: 1e-15))
        #expect(rows[3..<6].map(\.bitPattern) == [0.8, 0, 0.6].map(\.bitPattern))
        #expect(reports[0].detail == "1 of 2 units clipped (norms are global L2)")

        // The same weight stored [in, out] declares its units along axis 1 and gets the same answer.
        let transposedClipper = AdaptiveGradientClipper<Double>(clipping: 0.1, layouts: ["dense.weight": .unitsAlongAxis(1)])
        let transposed = try pipelineStep(
            transposedClipper, gradients.map { $0.transposed() }, state: &state, parameters: weights.map { $0.transposed() }).output
        #expect(pipelineClose(transposed.map { $0.transposed() }, output, tolerance: 1e-15))

        // Whole-tensor units, unclipped keys, and a missing weight.
        let bias = ParameterSet<Double>([("dense.bias", Tensor([3, 4]))])
        let biasOut = try pipelineStep(clipper, bias, state: &state, parameters: ParameterSet([("dense.bias", Tensor([0, 0]))])).output
        #expect(pipelineClose(biasOut, ParameterSet([("dense.bias", Tensor([3e-4 / 5, 4e-4 / 5]))]), tolerance: 1e-15))
        let skipHead = AdaptiveGradientClipper<Double>(clipping: 0.1, layouts: ["dense.bias": .unclipped])
        #expect(try pipelineStep(skipHead, bias, state: &state, parameters: ParameterSet()).output == bias)
        #expect(throws: GradientTransformError.self) { try pipelineStep(clipper, bias, state: &state, parameters: ParameterSet()) }
    }

    @Test func spikeClipperClipsElementsAgainstTheirRunningSecondMoment() throws {
        let clipper = SpikeClipper<Double>(theta: 100, beta2: 0.9)
        let steady = ParameterSet<Double>([("w", Tensor([1, -2, 0.5, 0]))])
        var state = clipper.makeState(for: steady)
        for step in 0..<5 {
            let output = try pipelineStep(clipper, steady, state: &state, step: step).output
            #expect(pipelineBits(output) == pipelineBits(steady))
        }
        let spike = ParameterSet<Double>([("w", Tensor([1000, -2000, 0.5, 7]))])
        let momentBefore = state.secondMoment["w"].scalars
        let (output, reports) = try pipelineStep(clipper, spike, state: &state, step: 5)
        let scalars = output["w"].scalars
        #expect(abs(scalars[0] - (100 * momentBefore[0]).squareRoot()) < 1e-12)
        #expect(abs(scalars[1] + (100 * momentBefore[1]).squareRoot()) < 1e-12)
        #expect(scalars[2] == 0.5)
        #expect(scalars[3] == 7)  // V = 0: never clipped
        #expect(reports[0].detail == "2 elements clipped")
        #expect(clipper.guarantee == .secondMomentRatio(theta: 100))
    }

    @Test func thresholdsAreSchedulableThroughTheProtocol() {
        var clipper: any ThresholdClipper<Double> = ValueClipper<Double>(maxValue: 1)
        clipper.threshold = 2
        #expect(clipper.guarantee == .elementwise(max: 2))
        var agc = AdaptiveGradientClipper<Double>(clipping: 0.01)
        agc.threshold = 0.02
        #expect(agc.guarantee == .unitwiseRatio(clipping: 0.02, epsilon: 1e-3))
    }
}
