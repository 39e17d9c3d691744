import Foundation
import Testing
import KeelMonitors

@Suite struct TransformReportTests {
    static let reports: [TransformReport] = [
        .clip(ClipReport(transform: "GlobalNormClipper", fired: true, normBefore: 5, normAfter: 1, coefficient: 0.2, threshold: 1)),
        .clip(ClipReport(transform: "AutoClipper", fired: false, normBefore: .nan, normAfter: .nan, detail: "non-finite")),
        .optimizer(OptimizerReport(transform: "Adam", learningRate: 1e-3)),
        .note(TransformNote(transform: "ApplyIfFinite", fired: true, detail: "step skipped")),
    ]

    @Test func jsonRoundTripKeepsTheKind() throws {
        let encoder = TrainingEvent.makeJSONEncoder()
        let decoder = TrainingEvent.makeJSONDecoder()
        for report in Self.reports {
            let data = try encoder.encode(report)
            let decoded = try decoder.decode(TransformReport.self, from: data)
            #expect(String(describing: decoded) == String(describing: report))
            #expect(decoded.transform == report.transform && decoded.fired == report.fired)
        }
        let json = String(decoding: try encoder.encode(Self.reports[0]), as: UTF8.self)
        #expect(json.contains("\"kind\":\"clip\"") && json.contains("\"threshold\":1"))
    }

    @Test func untypedLogsDecodeByTheirFields() throws {
        let decoder = TrainingEvent.makeJSONDecoder()
        let clip = try decoder.decode(
            TransformReport.self, from: Data(#"{"transform":"GlobalNormClipper","fired":true,"normBefore":2,"normAfter":1,"threshold":1}"#.utf8))
        #expect(clip.clip?.threshold == 1 && clip.isFiredClip)
        let optimizer = try decoder.decode(
            TransformReport.self, from: Data(#"{"transform":"Adam","fired":false,"learningRate":0.01}"#.utf8))
        #expect(optimizer.optimizer?.learningRate == 0.01 && !optimizer.fired)
        let note = try decoder.decode(TransformReport.self, from: Data(#"{"transform":"Accumulate","fired":true}"#.utf8))
        #expect(note == .note(TransformNote(transform: "Accumulate", fired: true)))
        #expect(!note.isFiredClip)
    }

    /// Only clip reports count as clipping: a guard that skipped is not a clipped step.
    @Test func onlyFiredClipReportsCountAsClipped() {
        var tracker = GradientNormTracker()
        tracker.record(3)
        tracker.recordClipReports([Self.reports[3], Self.reports[2]])
        #expect(tracker.clipRate == 0)
        tracker.recordClipReports([Self.reports[0]])
        #expect(tracker.clipRate == 1)
        #expect(StepRecord(step: 0, epoch: 0, loss: 1, globalGradientNorm: 1, learningRate: 1, clipReports: [Self.reports[3]]).clipped == false)
    }
}

/// A third-party monitor using every hook a member has: findings, step-scheduled needs and clip
/// reports.
struct ClipCountingMonitor: Monitor {
    var clipped = 0
    var lastThreshold: Double?
    var steps = 0
    var findings: [String] = []

    func needs(atStep step: Int) -> ObservationNeeds { step % 2 == 0 ? .parameterNorms : [] }

    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        steps += 1
        findings = observation.globalGradientNorm > 10 ? ["large norm \(observation.globalGradientNorm)"] : []
        return .proceed
    }

    mutating func recordClipReports(_ reports: [TransformReport]) {
        for report in reports {
            guard let clip = report.clip else { continue }
            if clip.fired { clipped += 1 }
            lastThreshold = clip.threshold
        }
    }
}

@Suite struct MonitorHookTests {
    @Test func aSetForwardsEveryHookToThirdPartyMembers() {
        var set = MonitorSet([ClipCountingMonitor()], attributor: nil)
        #expect(set.needs(atStep: 0) == .parameterNorms)
        #expect(set.needs(atStep: 1) == [])
        let large = StepObservation(
            step: 0, epoch: 0, loss: 1, learningRate: 1, parameterKeys: ["w"], gradientNorms: [20], globalGradientNorm: 20,
            nonFiniteCounts: [0])
        let outcome = set.evaluate(large)
        #expect(outcome.firings.map(\.findings) == [["large norm 20.0"]])
        #expect(outcome.verdict == .proceed)
        set.recordClipReports(TransformReportTests.reports)
        let member = set.first(ClipCountingMonitor.self)
        #expect(member?.clipped == 1)
        #expect(member?.lastThreshold == nil)  // the last clip report had no threshold
        // Nested sets forward too.
        var outer = MonitorSet([set], attributor: nil)
        outer.recordClipReports([TransformReportTests.reports[0]])
        #expect((outer.monitors[0] as? MonitorSet)?.first(ClipCountingMonitor.self)?.clipped == 2)
    }
}
