import Foundation
import KeelCore
import KeelData
import KeelLayers
import KeelMonitors
import KeelOptimizers
import KeelReport
import KeelTrainer

/// `keel demo`: the exploding-gradient problem and its cures on the adding problem, in under a
/// minute.
///
/// Three runs on the same data (arjovsky2016 adding problem, MSE baseline 1/6 by predicting 1):
/// 1. a vanilla tanh RNN whose W_hh has spectral radius 1.5 (> 1/γ = 1: Pascanu's necessary
///    condition for exploding gradients holds), plain SGD, no clipping;
/// 2. the same model and optimizer behind a ``GlobalNormClipper``;
/// 3. an LSTM with orthogonal recurrent weights (radius 1 per gate block), clipped, with Adam.
/// Every run logs JSON Lines; the comparison table, a plain-words explanation and an HTML report
/// come at the end.
public struct DemoRunner {
    /// What `keel demo` runs: the length of each run, the task's size and where files go.
    public struct Settings: Sendable {
        /// Optimizer steps per run (≥ 1).
        public var steps: Int
        /// The seed of the data and of every model's initialization, shared by the three runs.
        public var seed: UInt64
        /// T of the adding problem (≥ 2).
        public var sequenceLength: Int
        /// The hidden size of every model.
        public var hiddenSize: Int
        /// The number of sequences per batch.
        public var batchSize: Int
        /// The path the HTML report is written to.
        public var output: String
        /// The directory of the runs' JSON Lines logs.
        public var logDirectory: String
        /// How progress is shown on the console.
        public var progressMode: ConsoleProgressMode

        /// Settings with the demo's defaults: 2000 steps, seed 3, T = 100, 32 hidden units, batches of 32,
        /// the report in `keel-demo-report.html` and the logs beside it (`logDirectory` `nil`).
        public init(
            steps: Int = 2000, seed: UInt64 = 3, sequenceLength: Int = 100, hiddenSize: Int = 32, batchSize: Int = 32,
            output: String = "keel-demo-report.html", logDirectory: String? = nil, progressMode: ConsoleProgressMode = .automatic
        ) {
            self.steps = steps
            self.seed = seed
            self.sequenceLength = sequenceLength
            self.hiddenSize = hiddenSize
            self.batchSize = batchSize
            self.output = output
            self.logDirectory = logDirectory ?? URL(fileURLWithPath: output).deletingLastPathComponent().path
            self.progressMode = progressMode
        }
    }

    /// One run's numbers for the table.
    public struct RunSummary: Sendable {
        /// The run's short name, e.g. `rnn-clipped`; also names its log file.
        public var name: String
        /// One line describing the model, optimizer and clipping.
        public var title: String
        /// The held-out MSE before training.
        public var initialLoss: Double
        /// The held-out MSE after training (NaN or ∞ when the weights blew up).
        public var finalLoss: Double
        /// The number of optimizer steps the run took.
        public var stepsTaken: Int
        /// Why the run stopped, as the trainer describes it.
        public var stopReason: String
        /// How many times ``GradientExplosionMonitor`` fired.
        public var explosionEvents: Int
        /// The fraction of steps in which the clipper fired, in [0, 1].
        public var clippedFraction: Double
        /// σ_max(W_hh) before training (the largest over gate blocks for gated cells).
        public var sigmaStart: Double
        /// σ_max(W_hh) after training (the largest over gate blocks for gated cells).
        public var sigmaEnd: Double
        /// The path of the run's JSON Lines log.
        public var logPath: String
        /// Every event the run emitted, for the report.
        public var events: [TrainingEvent]
    }

    /// What to run.
    public var settings: Settings
    /// Where console output goes.
    public var write: @Sendable (String) -> Void

    /// A demo with `settings`, printing to standard output by default.
    public init(settings: Settings, write: @escaping @Sendable (String) -> Void = { ConsoleProgressSink.writeToStandardOutput($0) }) {
        self.settings = settings
        self.write = write
    }

    /// The gradient norm above which ``GradientExplosionMonitor`` fires (it only warns here).
    public static let explosionThreshold = 50.0
    /// The global-norm bound c of the clipped runs.
    public static let clipThreshold = 1.0
    /// The learning rate of the two SGD runs.
    public static let sgdLearningRate = 0.05
    /// The learning rate of the Adam run.
    public static let adamLearningRate = 0.01

    struct RunPlan: Sendable {
        var name: String
        var title: String
        var cell: RecurrentCellKind
        var radius: Double
        var clipped: Bool
        var adam: Bool
    }

    /// Runs the three trainings, prints the comparison and writes the report; returns the summaries.
    @discardableResult
    public func run() throws -> [RunSummary] {
        guard settings.steps >= 1, settings.steps <= TrainOptions.largestCount else {
            throw CommandError("--steps must be in 1 ... \(TrainOptions.largestCount) (got \(settings.steps))")
        }
        // 10⁶ steps of 32 × 32 hidden units keep a batch's activations near 1 GB.
        guard settings.sequenceLength >= 2, settings.sequenceLength <= 1_000_000 else {
            throw CommandError("--sequence-length must be in 2 ... 1000000 (got \(settings.sequenceLength))")
        }
        try FileManager.default.createDirectory(atPath: settings.logDirectory, withIntermediateDirectories: true)
        let start = ContinuousClock.now
        let plans = [
            RunPlan(name: "rnn-unclipped", title: "tanh RNN, ρ(W_hh) = 1.5, SGD, no clipping", cell: .rnnTanh, radius: 1.5, clipped: false, adam: false),
            RunPlan(name: "rnn-clipped", title: "tanh RNN, ρ(W_hh) = 1.5, SGD, global-norm clip 1", cell: .rnnTanh, radius: 1.5, clipped: true, adam: false),
            RunPlan(name: "lstm-clipped", title: "LSTM, orthogonal W_hh, Adam, global-norm clip 1", cell: .lstm, radius: 1.0, clipped: true, adam: true),
        ]
        write("""
            keel demo: exploding gradients on the adding problem (T = \(settings.sequenceLength), \(settings.steps) steps per run, batch \(settings.batchSize)).
            The target is the sum of the two marked numbers in a sequence of \(settings.sequenceLength); always predicting 1 gives MSE 1/6 ≈ 0.167.

            """)
        var summaries: [RunSummary] = []
        for (index, plan) in plans.enumerated() {
            write("\n── run \(index + 1)/3: \(plan.name) — \(plan.title)\n")
            var specification = RecurrentNetworkSpecification(
                cell: plan.cell, inputSize: 2, hiddenSize: settings.hiddenSize, outputSize: 1, recurrentSpectralRadius: plan.radius,
                seed: settings.seed)
            specification.computesInputGradient = false  // the input is data
            summaries.append(try specification.build(DemoBody(runner: self, plan: plan)))
        }
        let elapsed = ContinuousClock.now - start
        let table = Self.table(summaries)
        let explanation = Self.explanation(summaries, settings: settings)
        write("\n" + table + "\n\n" + explanation + "\n")
        let report = HTMLReport(
            title: "keel demo — exploding gradients on the adding problem",
            runs: summaries.map { RunLog(name: $0.name, events: $0.events) },
            summaryHTML: Self.summaryHTML(summaries, explanation: explanation, settings: settings),
            lossReferences: [.init(label: "baseline 1/6", y: 1.0 / 6.0, color: "#888")])
        do {
            try Data(report.render().utf8).write(to: URL(fileURLWithPath: settings.output), options: .atomic)
        } catch {
            throw CommandError("\(settings.output): cannot write the report (\(error.localizedDescription))")
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        write("\nreport: \(settings.output)\nlogs: \(summaries.map(\.logPath).joined(separator: ", "))\n")
        write(String(format: "total time: %.1f s\n", seconds))
        return summaries
    }

    struct DemoBody: RecurrentNetworkBody {
        typealias Scalar = Float
        let runner: DemoRunner
        let plan: RunPlan

        func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> RunSummary where L.Scalar == Float, L.State: Sendable {
            let settings = runner.settings
            let optimizer = plan.adam
                ? AnyGradientTransform(Adam<Float>(learningRate: DemoRunner.adamLearningRate))
                : AnyGradientTransform(SGD<Float>(learningRate: DemoRunner.sgdLearningRate))
            let clipper = plan.clipped
                ? AnyGradientTransform(GlobalNormClipper<Float>(maxNorm: DemoRunner.clipThreshold)) : AnyGradientTransform(IdentityTransform<Float>())
            let source = try AddingProblem<Float>(
                sequenceLength: settings.sequenceLength, batchSize: settings.batchSize, batchesPerEpoch: settings.steps, seed: settings.seed &+ 8)
            let heldOut = try AddingProblem<Float>(sequenceLength: settings.sequenceLength, batchSize: 100, batchesPerEpoch: 2, seed: 12345)
            let every = max(1, min(settings.steps / 30, 10))
            // Warnings only (the unclipped run must really be unprotected); a non-finite loss stops
            // the run, since nothing can be learned after it.
            let monitors = MonitorSet(
                [
                    NonFiniteMonitor(action: .stop, escalateAfter: nil),
                    GradientExplosionMonitor(absoluteThreshold: DemoRunner.explosionThreshold, growthFactor: 100, window: 10, action: .warn),
                    // Rules off: it only has σ_max(W_hh) computed and logged every `every` steps.
                    RecurrentDynamicsMonitor(every: every, spectralMargin: nil, saturationThreshold: nil, hiddenGrowthThreshold: nil),
                    GradientFlowSampler(every: every),
                ],
                attributeWarnings: true)
            var configuration = TrainerConfiguration(
                seed: settings.seed, validationSchedule: .everySteps(max(1, settings.steps / 10)), spectralNormInterval: every)
            configuration.rollback = RollbackPolicy(capacity: 1, snapshotInterval: 1_000_000)
            let logPath = URL(fileURLWithPath: settings.logDirectory).appendingPathComponent("keel-demo-\(plan.name).jsonl").path
            try? FileManager.default.removeItem(atPath: logPath)
            let memory = InMemoryEventSink()
            let progress = ConsoleProgressSink(totalSteps: settings.steps, every: max(1, settings.steps / 5), mode: settings.progressMode, write: runner.write)
            var trainer = Trainer(
                model: model, loss: MeanSquaredError<Float>(), pipeline: Chain(clipper, optimizer), monitors: monitors,
                configuration: configuration, sinks: [try JSONLinesEventSink(path: logPath), memory, progress])
            let sigmaStart = DemoRunner.sigma(of: trainer.model)
            let initialLoss = trainer.evaluate(heldOut).loss
            let result = try trainer.fit(epochs: 1, source: source, validation: heldOut, maxSteps: settings.steps)
            let finalLoss = trainer.evaluate(heldOut).loss
            let events = memory.events
            let steps = events.compactMap { if case .stepCompleted(let r) = $0 { r } else { nil } }
            let explosions = events.filter { if case .monitorFired(let r) = $0 { r.monitor == "GradientExplosionMonitor" } else { false } }.count
            return RunSummary(
                name: plan.name, title: plan.title, initialLoss: initialLoss, finalLoss: finalLoss, stepsTaken: trainer.step,
                stopReason: "\(result.stopReason)", explosionEvents: explosions,
                clippedFraction: steps.isEmpty ? 0 : Double(steps.filter(\.clipped).count) / Double(steps.count),
                sigmaStart: sigmaStart, sigmaEnd: DemoRunner.sigma(of: trainer.model), logPath: logPath, events: events)
        }
    }

    static func sigma<M: Layer>(of model: M) -> Double where M.Scalar == Float {
        var value = Double.nan
        model.visitParameters { key, tensor in
            // Gated cells stack one [hidden, hidden] block per gate: report the largest block's σ_max.
            guard key.name == "weightHH" && value.isNaN else { return }
            let hidden = tensor.shape[1]
            value = (0..<(tensor.shape[0] / hidden)).map { gate in
                let block = Tensor(shape: [hidden, hidden], scalars: Array(tensor.scalars[(gate * hidden * hidden)..<((gate + 1) * hidden * hidden)]))
                guard block.scalars.allSatisfy(\.isFinite) else { return Double.nan }
                var estimator = SpectralNormEstimator()
                return estimator.estimate(block, iterations: 100)
            }.max() ?? .nan
        }
        return value
    }

    static func number(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : "∞" }
        if abs(value) >= 1000 || (value != 0 && abs(value) < 0.01) { return String(format: "%.2g", value) }
        return String(format: "%.\(digits)f", value)
    }

    /// The comparison as a text table.
    public static func table(_ runs: [RunSummary]) -> String {
        let header = ["run", "steps", "held-out MSE", "vs 1/6", "explosions", "clipped", "σ_max start", "σ_max end"]
        let rows = runs.map { run -> [String] in
            let ratio = run.finalLoss.isFinite ? "×" + number(run.finalLoss * 6, digits: 2) : "—"
            return [
                run.name, "\(run.stepsTaken)", "\(number(run.initialLoss)) → \(number(run.finalLoss))", ratio, "\(run.explosionEvents)",
                String(format: "%.0f%%", 100 * run.clippedFraction), number(run.sigmaStart, digits: 2), number(run.sigmaEnd, digits: 2),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// What happened, in plain words, from the runs' events.
    public static func explanation(_ runs: [RunSummary], settings: Settings) -> String {
        var paragraphs: [String] = []
        let baseline = 1.0 / 6.0
        if let unclipped = runs.first(where: { $0.name == "rnn-unclipped" }) {
            let steps = unclipped.events.compactMap { if case .stepCompleted(let r) = $0 { r } else { nil } }
            let firings = unclipped.events.compactMap { if case .monitorFired(let r) = $0 { r } else { nil } }
            var text = "Without clipping: "
            if let first = steps.first {
                let peak = steps.filter { $0.globalGradientNorm.isFinite }.max { $0.globalGradientNorm < $1.globalGradientNorm }
                text += "the gradient norm started at \(shortNumber(first.globalGradientNorm))"
                if let peak, peak.globalGradientNorm > first.globalGradientNorm * 10 {
                    text += " and jumped ×\(magnitude(peak.globalGradientNorm / first.globalGradientNorm)) to \(shortNumber(peak.globalGradientNorm)) at step \(peak.step)"
                }
                text += ". "
            }
            if let explosion = firings.first(where: { $0.monitor == "GradientExplosionMonitor" }) {
                text += "GradientExplosionMonitor fired at step \(explosion.step)"
                if unclipped.explosionEvents > 1 { text += " (\(unclipped.explosionEvents) times in all)" }
                if let top = explosion.attribution?.entries.first {
                    text += "; attribution: \(top.key.rawValue) (‖g‖ = \(shortNumber(top.gradientNorm))"
                    if let share = top.shareOfGlobalNorm { text += String(format: ", %.0f%% of the squared global norm", 100 * share) }
                    text += ")"
                }
                text += ". "
            } else {
                text += "GradientExplosionMonitor did not fire in this budget. "
            }
            text += "σ_max(W_hh) = \(number(unclipped.sigmaStart, digits: 2)) "
            text += unclipped.sigmaStart > 1
                ? "> 1/γ = 1 (γ = 1 bounds tanh′): Pascanu's necessary condition for exploding gradients holds. "
                : "≤ 1/γ = 1: Pascanu's condition for explosion does not hold. "
            if let nonFinite = firings.first(where: { $0.monitor == "NonFiniteMonitor" }) {
                text += "At step \(nonFinite.step) the loss or gradient became NaN/∞ and NonFiniteMonitor stopped the run"
                text += unclipped.finalLoss.isFinite ? "; the held-out MSE is \(number(unclipped.finalLoss)). " : ": the weights are destroyed (held-out MSE \(number(unclipped.finalLoss))). "
            } else if !unclipped.finalLoss.isFinite {
                text += "The weights ended non-finite (held-out MSE NaN). "
            } else {
                text += "Held-out MSE went \(number(unclipped.initialLoss)) → \(number(unclipped.finalLoss))"
                text += unclipped.finalLoss > baseline * 1.5 ? ", far above the 1/6 baseline: the huge steps threw the weights into tanh saturation. " : ". "
            }
            paragraphs.append(text)
        }
        if let clipped = runs.first(where: { $0.name == "rnn-clipped" }) {
            var text = "With global-norm clipping (‖g‖ ≤ \(shortNumber(clipThreshold))), the same model, data and learning rate: "
            text += String(format: "%.0f%% of the steps were clipped, ", 100 * clipped.clippedFraction)
            text += "the direction of each gradient was kept and only its length capped, so no step could throw the weights away. "
            text += "Held-out MSE \(number(clipped.initialLoss)) → \(number(clipped.finalLoss)) "
            text += clipped.finalLoss < 0.8 * baseline ? "(below the 1/6 baseline: it started to use the marked numbers). " : "(near the 1/6 baseline: it learned the mean; a vanilla RNN needs far more steps to carry information across \(settings.sequenceLength) time steps). "
            text += "σ_max(W_hh) moved \(number(clipped.sigmaStart, digits: 2)) → \(number(clipped.sigmaEnd, digits: 2))."
            paragraphs.append(text)
        }
        if let lstm = runs.first(where: { $0.name == "lstm-clipped" }) {
            var text = "The LSTM (orthogonal recurrent weights, Adam, clipping): its additive cell state carries information across time without repeated multiplication by W_hh, so gradients neither explode nor vanish as fast. "
            text += "Held-out MSE \(number(lstm.initialLoss)) → \(number(lstm.finalLoss))"
            text += lstm.finalLoss.isFinite ? " (×\(number(lstm.finalLoss / baseline, digits: 2)) of the baseline)" : ""
            text += lstm.finalLoss < baseline / 2 ? ": it solves the task where the vanilla RNN cannot in this budget." : "."
            if lstm.sigmaEnd > 1 {
                text += " Its σ_max(W_hh) grew to \(number(lstm.sigmaEnd, digits: 2)) without harm: in a gated cell the gates, not W_hh alone, decide how gradients flow back."
            }
            paragraphs.append(text)
        }
        return paragraphs.joined(separator: "\n\n")
    }

    static func magnitude(_ ratio: Double) -> String {
        guard ratio.isFinite, ratio >= 1 else { return shortNumber(ratio) }
        let exponent = Int(Foundation.log10(ratio))
        if exponent < 2 { return String(format: "%.0f", ratio) }
        let superscripts: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        return "10" + String(String(exponent).compactMap { $0.wholeNumberValue.map { superscripts[$0] } })
    }

    static func summaryHTML(_ runs: [RunSummary], explanation: String, settings: Settings) -> String {
        var html = "<h2>Comparison</h2><p>Adding problem, T = \(settings.sequenceLength), \(settings.steps) steps per run, batch \(settings.batchSize), hidden \(settings.hiddenSize), seed \(settings.seed). Held-out MSE on 200 fresh sequences; the baseline (always predict 1) is 1/6 ≈ 0.167.</p>"
        html += "<table class=\"summary\"><thead><tr><th>run</th><th>setup</th><th>steps</th><th>held-out MSE start → end</th><th>vs 1/6</th><th>explosion events</th><th>clipped steps</th><th>σ_max(W_hh) start → end</th></tr></thead><tbody>"
        for run in runs {
            let ratio = run.finalLoss.isFinite ? "×" + number(run.finalLoss * 6, digits: 2) : "—"
            html += "<tr><td>\(escapeHTML(run.name))</td><td>\(escapeHTML(run.title))</td><td class=\"num\">\(run.stepsTaken)</td>"
            html += "<td class=\"num\">\(number(run.initialLoss)) → \(number(run.finalLoss))</td><td class=\"num\">\(ratio)</td><td class=\"num\">\(run.explosionEvents)</td>"
            html += "<td class=\"num\">\(String(format: "%.0f%%", 100 * run.clippedFraction))</td><td class=\"num\">\(number(run.sigmaStart, digits: 2)) → \(number(run.sigmaEnd, digits: 2))</td></tr>"
        }
        html += "</tbody></table><h2>What happened</h2><pre class=\"explanation\">\(escapeHTML(explanation))</pre>"
        return html
    }
}
