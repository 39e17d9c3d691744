import Foundation
import Testing
import KeelMonitors

/// One case of Reference/percentiles.json (written by Reference/percentiles.py with NumPy 2.4).
struct PercentileCase: Decodable {
    var values: [Double]
    var q: [Double]
    var expected: [Double]
    var mean: Double
}

@Suite("GradientNormTracker")
struct GradientNormTrackerTests {
    static func referenceCases() throws -> [PercentileCase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/percentiles.json")
        return try JSONDecoder().decode([PercentileCase].self, from: Data(contentsOf: url))
    }

    @Test func percentilesMatchNumPy() throws {
        let cases = try Self.referenceCases()
        #expect(cases.count == 5)
        for reference in cases {
            var tracker = GradientNormTracker()
            for value in reference.values { tracker.record(value) }
            for (q, expected) in zip(reference.q, reference.expected) {
                #expect(abs(tracker.percentile(q) - expected) <= 1e-12 * max(1, abs(expected)), "q = \(q) of \(reference.values)")
            }
            #expect(tracker.percentiles(reference.q).elementsEqual(reference.expected) { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
            #expect(abs(tracker.mean - reference.mean) <= 1e-12 * max(1, reference.mean))
        }
    }

    @Test func boundedHistoryAndClipRate() {
        var tracker = GradientNormTracker(capacity: 4, clipThreshold: 2.5)
        for (step, norm) in [1.0, 2.0, 3.0, 4.0, 5.0, .nan].enumerated() {
            #expect(tracker.inspect(scalarObservation(step: step, loss: 1, norm: norm)) == .proceed)
        }
        #expect(tracker.norms == [2, 3, 4, 5])
        #expect(tracker.nonFiniteCount == 1 && tracker.stepCount == 6)
        #expect(tracker.clipRate == 0.75)
        #expect(tracker.median == 3.5 && tracker.maximum == 5 && tracker.latest == 5)

        // Clip reports override the threshold for the last step.
        tracker.recordClipReports([.clip(ClipReport(transform: "GlobalNormClipper", fired: false, normBefore: 1, normAfter: 1))])
        #expect(tracker.clipRate == 0.5)
        var fromReports = GradientNormTracker()
        for step in 0..<4 {
            _ = fromReports.inspect(scalarObservation(step: step, loss: 1, norm: 1))
            fromReports.recordClipReports([.clip(ClipReport(transform: "GlobalNormClipper", fired: step % 2 == 0, normBefore: 1, normAfter: 1))])
        }
        #expect(fromReports.clipRate == 0.5)
        #expect(GradientNormTracker().percentile(50).isNaN && GradientNormTracker().clipRate == 0)
    }
}
