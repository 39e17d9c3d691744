import Foundation
import Testing
import KeelMonitors
import KeelReport

@Suite struct DemoCommandTests {
    @Test func quickDemoWritesTheReportAndLogsTheExplosion() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("demo.html")
        let result = try KeelExecutable.run(["demo", "--quick", "--steps", "20", "--output", report.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.standardOutput.contains("held-out MSE"))
        #expect(result.standardOutput.contains("GradientExplosionMonitor fired at step"))
        #expect(result.standardOutput.contains("encoder.layer0.weightHH"))
        #expect(result.standardOutput.contains("Pascanu"))

        let html = try String(contentsOf: report, encoding: .utf8)
        #expect(html.contains("<svg"))
        #expect(html.contains("Gradient flow"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))

        for run in ["rnn-unclipped", "rnn-clipped", "lstm-clipped"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("keel-demo-\(run).jsonl").path))
        }
        let unclipped = try RunLog(contentsOfFile: directory.appendingPathComponent("keel-demo-rnn-unclipped.jsonl").path)
        let explosion = try #require(unclipped.firings.first { $0.monitor == "GradientExplosionMonitor" })
        #expect(explosion.attribution?.mostResponsible?.rawValue == "encoder.layer0.weightHH")
        #expect(!unclipped.gradientFlows.isEmpty)
        #expect(!unclipped.dynamics.isEmpty)
        let clipped = try RunLog(contentsOfFile: directory.appendingPathComponent("keel-demo-rnn-clipped.jsonl").path)
        #expect(clipped.steps.contains { $0.clipped })
    }
}
