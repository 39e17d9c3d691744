import ArgumentParser
import Foundation
import KeelCommands
import KeelReport

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render JSON Lines training logs as a self-contained HTML report.",
        discussion: """
            Loss and validation curves, the global gradient norm (log scale) with clip thresholds and clipped \
            steps, σ_max(W_hh) over time, the gradient-flow heatmap ‖∂L/∂h_t‖ over steps × time steps, \
            per-parameter gradient norms at monitor firings, and the events (monitor firings with attribution, \
            skips, rollbacks, stops, checkpoints). Inline SVG and CSS: no scripts, no network resources.
            """)

    @Argument(help: "One or more JSON Lines logs written by keel train --log or keel demo.")
    var logs: [String]

    @Option(help: "The HTML file to write.")
    var output: String = "report.html"

    @Option(help: "The report's title.")
    var title: String = "Keel training report"

    func run() throws {
        try runReportingErrors {
            guard !logs.isEmpty else { throw CommandError("give at least one JSON Lines log") }
            let runs = try logs.map { try RunLog(contentsOfFile: $0) }
            let html = HTMLReport(title: title, runs: runs).render()
            do {
                try Data(html.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CommandError("\(output): cannot write the report (\(error.localizedDescription))")
            }
            print("report: \(output) (\(runs.map { "\($0.name): \($0.steps.count) steps" }.joined(separator: ", ")))")
        }
    }
}
