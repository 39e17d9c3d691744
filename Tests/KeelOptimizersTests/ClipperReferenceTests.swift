import Foundation
import Testing
import KeelOptimizers

/// AutoClip and ZClip against `Reference/clippers_reference.py`, a NumPy implementation of their
/// published rules.
@Suite struct ClipperReferenceTests {
    private struct Fixture: Decodable {
        struct Step: Decodable {
            var normBefore: Double
            var normAfter: Double
            var threshold: Double?
            var fired: Bool
            var output: [String: [Double]]
        }
        struct AutoClipCase: Decodable {
            struct Config: Decodable { var percentile: Double; var historyLimit: Int }
            var config: Config
            var steps: [Step]
        }
        struct ZClipCase: Decodable {
            struct Config: Decodable {
                var alpha: Double
                var zThreshold: Double
                var warmupSteps: Int
                var clipFactor: Double
                var maxGradNorm: Double?
                var response: String
                var freezeStatisticsOnSpike: Bool
            }
            var config: Config
            var steps: [Step]
        }
        var keys: [String]
        var shapes: [[Int]]
        var gradients: [[String: [Double]]]
        var autoclip: [AutoClipCase]
        var zclip: [ZClipCase]

        func set(_ values: [String: [Double]]) -> ParameterSet<Double> {
            ParameterSet(zip(keys, shapes).map { (ParameterKey($0.0), Tensor(shape: $0.1, scalars: values[$0.0]!)) })
        }
    }

    private static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Reference/clippers_reference.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    private static func close(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let x?, let y?): abs(x - y) <= 1e-10 * max(1, abs(y))
        default: false
        }
    }

    private static func replay<C: GradientClipper>(_ clipper: C, expected: [Fixture.Step]) throws where C.Scalar == Double {
        let fixture = Self.fixture
        var state = clipper.makeState(for: fixture.set(fixture.gradients[0]))
        #expect(expected.count == fixture.gradients.count)
        for (step, (gradients, want)) in zip(fixture.gradients, expected).enumerated() {
            let (output, reports) = try pipelineStep(clipper, fixture.set(gradients), state: &state, step: step)
            let report = try #require(reports[0].clip)
            #expect(close(report.normBefore, want.normBefore), "\(C.self) step \(step): norm")
            #expect(close(report.threshold, want.threshold), "\(C.self) step \(step): threshold \(String(describing: report.threshold)) vs \(String(describing: want.threshold))")
            #expect(report.fired == want.fired, "\(C.self) step \(step): fired")
            #expect(close(report.normAfter, want.normAfter), "\(C.self) step \(step): norm after")
            #expect(pipelineClose(output, fixture.set(want.output), tolerance: 1e-10), "\(C.self) step \(step): output")
        }
    }

    @Test func autoClipMatchesTheNumPyReference() throws {
        #expect(Self.fixture.autoclip.count == 3)
        for testCase in Self.fixture.autoclip {
            try Self.replay(
                AutoClipper<Double>(percentile: testCase.config.percentile, historyLimit: testCase.config.historyLimit),
                expected: testCase.steps)
        }
    }

    @Test func zClipMatchesTheNumPyReference() throws {
        #expect(Self.fixture.zclip.count == 3)
        for testCase in Self.fixture.zclip {
            let config = testCase.config
            try Self.replay(
                ZScoreClipper<Double>(
                    alpha: config.alpha, zThreshold: config.zThreshold, warmupSteps: config.warmupSteps,
                    clipFactor: config.clipFactor, maxGradNorm: config.maxGradNorm,
                    response: ZScoreClipper<Double>.Response(rawValue: config.response)!,
                    freezeStatisticsOnSpike: config.freezeStatisticsOnSpike),
                expected: testCase.steps)
        }
    }

    @Test func adaptiveStatesRoundTripThroughJSON() throws {
        let fixture = Self.fixture
        let zclip = ZScoreClipper<Double>(warmupSteps: 5)
        let autoclip = AutoClipper<Double>(percentile: 50, historyLimit: 6)
        var zState = zclip.makeState(for: fixture.set(fixture.gradients[0]))
        var aState = autoclip.makeState(for: fixture.set(fixture.gradients[0]))
        for step in 0..<20 {
            _ = try pipelineStep(zclip, fixture.set(fixture.gradients[step]), state: &zState)
            _ = try pipelineStep(autoclip, fixture.set(fixture.gradients[step]), state: &aState)
        }
        var zRestored = try JSONDecoder().decode(ZScoreClipperState.self, from: JSONEncoder().encode(zState))
        var aRestored = try JSONDecoder().decode(AutoClipperState.self, from: JSONEncoder().encode(aState))
        #expect(zRestored == zState && aRestored == aState)
        for step in 20..<fixture.gradients.count {
            let g = fixture.set(fixture.gradients[step])
            #expect(try pipelineBits(pipelineStep(zclip, g, state: &zState).output) == pipelineBits(pipelineStep(zclip, g, state: &zRestored).output))
            #expect(try pipelineBits(pipelineStep(autoclip, g, state: &aState).output) == pipelineBits(pipelineStep(autoclip, g, state: &aRestored).output))
        }
    }
}
