import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shows training progress on the console: step and epoch, ETA, loss, gradient norm and clip
/// rate, as a progress bar on a terminal or as plain lines in logs.
///
/// Plain-line format, written every `every` steps (and on the last step when `totalSteps` is
/// known); steps count from 1 here (`step + 1` of the event):
///
///     step 100/1000 | epoch 1 | loss 0.4321 | grad norm 1.234 | lr 0.001 | clip 12.0% | ETA 0:01:23
///
/// `/1000` and `ETA` appear only when `totalSteps` is known and step durations are reported;
/// the clip rate is over the last `clipWindow` steps (the line says "of last 100" once the run is
/// longer than that, so that it is not mistaken for the whole run's rate). Other events print one line each:
/// `[step 12] GradientExplosionMonitor: skip update (…)`, `[step 12] action rollback: …`,
/// `[step 100] validation: accuracy 0.91, loss 0.3`, `[step 100] checkpoint saved: PATH`,
/// `epoch 1 completed at step 500 | mean loss 0.5 | 12.3 s`, `training finished at step 1000: completed`.
/// Gradient-flow and recurrent-dynamics events are not printed.
///
/// Warnings (monitor firings that only warn) of one monitor are printed at most once per
/// `warningInterval` steps; the next printed one says how many were held back
/// (`… (+12 more since step 40)`), and so does a last line when training finishes. Verdicts that
/// act (skip, rollback, stop) are always printed. The event log keeps every firing.
///
/// Numbers use `%.4g`. Output goes to `write` (standard output by default).
public final class ConsoleProgressSink: EventSink {
    /// The resolved drawing mode (never ``ConsoleProgressMode/automatic``).
    public let mode: ConsoleProgressMode
    /// The total number of steps, for the bar and the ETA (nil: unknown).
    public var totalSteps: Int?
    /// Plain-line period in steps.
    public var every: Int
    /// Steps the clip rate is computed over.
    public let clipWindow: Int
    /// The bar's width in characters.
    public var barWidth: Int
    /// Steps between two printed warnings of the same monitor (≥ 1; 1 prints every warning).
    public var warningInterval: Int
    private let write: (String) -> Void
    /// Per monitor: the step of the last printed warning, warnings held back since, and the first of those.
    private var warningState: [String: (printed: Int, heldBack: Int, since: Int)] = [:]
    private var recentClips: [Bool] = []
    private var durationSum = 0.0
    private var durationCount = 0
    private var barVisible = false

    /// - Parameters:
    ///   - totalSteps: total steps of the run, if known.
    ///   - every: plain-line period (≥ 1).
    ///   - mode: bar, plain lines, or automatic (bar on a TTY).
    ///   - clipWindow: steps the clip rate is computed over.
    ///   - barWidth: the bar's width in characters.
    ///   - warningInterval: steps between two printed warnings of one monitor.
    ///   - write: where text goes (default: standard output, unbuffered).
    public init(
        totalSteps: Int? = nil, every: Int = 50, mode: ConsoleProgressMode = .automatic, clipWindow: Int = 100,
        barWidth: Int = 24, warningInterval: Int = 1000, write: @escaping (String) -> Void = ConsoleProgressSink.writeToStandardOutput
    ) {
        precondition(every >= 1 && clipWindow >= 1, "ConsoleProgressSink: every and clipWindow must be ≥ 1")
        precondition(warningInterval >= 1, "ConsoleProgressSink: warningInterval must be ≥ 1")
        self.warningInterval = warningInterval
        self.totalSteps = totalSteps
        self.every = every
        self.mode = mode == .automatic ? (isatty(STDOUT_FILENO) != 0 ? .progressBar : .plainLines) : mode
        self.clipWindow = clipWindow
        self.barWidth = barWidth
        self.write = write
    }

    /// Writes to standard output without buffering.
    public static func writeToStandardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    public func receive(_ event: TrainingEvent) {
        switch event {
        case .stepCompleted(let record):
            recentClips.append(record.clipped)
            if recentClips.count > clipWindow { recentClips.removeFirst(recentClips.count - clipWindow) }
            if let duration = record.durationSeconds {
                durationSum += duration
                durationCount += 1
            }
            let done = record.step + 1
            if mode == .progressBar {
                write("\r" + barLine(record) + "\u{1B}[K")
                barVisible = true
            } else if done % every == 0 || done == totalSteps {
                write(plainLine(record) + "\n")
            }
        case .validation(let record):
            let metrics = record.metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.format($0.value))" }
            message("[step \(record.step)] validation: " + metrics.joined(separator: ", "))
        case .monitorFired(let record):
            guard record.verdict.severity == 0 else {
                message("[step \(record.step)] \(record.monitor): \(record.verdict.description)" + Self.blame(record.attribution))
                return
            }
            var line = "[step \(record.step)] \(record.monitor): warning (\(record.findings.joined(separator: "; ")))" + Self.blame(record.attribution)
            if let state = warningState[record.monitor] {
                guard record.step - state.printed >= warningInterval else {
                    warningState[record.monitor] = (state.printed, state.heldBack + 1, state.heldBack == 0 ? record.step : state.since)
                    return
                }
                if state.heldBack > 0 { line += " (+\(state.heldBack) more since step \(state.since))" }
            }
            warningState[record.monitor] = (record.step, 0, record.step)
            message(line)
        case .actionTaken(let record):
            message("[step \(record.step)] action \(record.action.rawValue): \(record.reason)")
        case .checkpointSaved(let record):
            message("[step \(record.step)] checkpoint saved: \(record.path)")
        case .epochCompleted(let record):
            var line = "epoch \(record.epoch + 1) completed at step \(record.step)"
            if let loss = record.meanLoss { line += " | mean loss \(Self.format(loss))" }
            if let seconds = record.durationSeconds { line += " | \(String(format: "%.1f", seconds)) s" }
            message(line)
        case .trainingFinished(let record):
            for (monitor, state) in warningState.sorted(by: { $0.key < $1.key }) where state.heldBack > 0 {
                message("[step \(record.step)] \(monitor): \(state.heldBack) more warnings since step \(state.since) (not shown; every firing is in the event log)")
                warningState[monitor] = (state.printed, 0, state.since)
            }
            message("training finished at step \(record.step): \(record.reason)" + (record.detail.map { " (\($0))" } ?? ""))
        case .gradientFlow, .recurrentDynamics:
            break
        }
    }

    /// "; largest gradient: layers.0.weightHH (‖g‖ 3.1e+04, 97% of ‖g‖²)": the attribution's top
    /// parameter, so that an explosion's culprit is on the console and not only in the log.
    static func blame(_ report: AttributionReport?) -> String {
        guard let report, let top = report.entries.first else { return "" }
        if let first = report.firstNonFiniteKey, top.nonFiniteCount > 0 || !top.gradientNorm.isFinite {
            return "; first non-finite gradient: \(first)"
        }
        var text = "; largest gradient: \(top.key) (‖g‖ \(format(top.gradientNorm))"
        if let share = top.shareOfGlobalNorm { text += String(format: ", %.0f%% of ‖g‖²", 100 * share) }
        return text + ")"
    }

    /// The fraction of the last `clipWindow` steps that were clipped.
    public var clipRate: Double {
        recentClips.isEmpty ? 0 : Double(recentClips.filter { $0 }.count) / Double(recentClips.count)
    }

    /// The plain progress line of a step (without the newline).
    public func plainLine(_ record: StepRecord) -> String {
        var parts = ["step \(record.step + 1)" + (totalSteps.map { "/\($0)" } ?? "")]
        parts.append("epoch \(record.epoch + 1)")
        parts.append(contentsOf: scalars(record))
        if let eta = eta(afterStep: record.step) { parts.append("ETA \(eta)") }
        return parts.joined(separator: " | ")
    }

    private func barLine(_ record: StepRecord) -> String {
        var line = ""
        if let total = totalSteps, total > 0 {
            let filled = min(barWidth, barWidth * (record.step + 1) / total)
            line += "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "] "
            line += "\(record.step + 1)/\(total)"
        } else {
            line += "step \(record.step + 1)"
        }
        line += " ep \(record.epoch + 1) " + scalars(record).joined(separator: " ")
        if let eta = eta(afterStep: record.step) { line += " ETA \(eta)" }
        return line
    }

    private func scalars(_ record: StepRecord) -> [String] {
        [
            "loss \(Self.format(record.loss))", "grad norm \(Self.format(record.globalGradientNorm))",
            "lr \(Self.format(record.learningRate))", "clip \(String(format: "%.1f", clipRate * 100))%" + (record.step + 1 > clipWindow ? " of last \(clipWindow)" : ""),
        ]
    }

    private func eta(afterStep step: Int) -> String? {
        guard let total = totalSteps, durationCount > 0 else { return nil }
        let seconds = Int((durationSum / Double(durationCount) * Double(max(0, total - step - 1))).rounded())
        return String(format: "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    private func message(_ line: String) {
        if barVisible {
            write("\r\u{1B}[K")
            barVisible = false
        }
        write(line + "\n")
    }

    static func format(_ value: Double) -> String { String(format: "%.4g", value) }
}
