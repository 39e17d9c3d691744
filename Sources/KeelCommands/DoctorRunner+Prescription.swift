import Foundation
import KeelDoctor
import KeelReport

extension DoctorRunner {
    /// `options` with the prescription applied: the `keel train` options of the cure. The data,
    /// model size, budget and files stay the user's.
    ///
    /// - Throws: ``UnknownChoiceError`` when the prescription names a cell, optimizer or schedule
    ///   `keel train` does not offer.
    static func apply(_ prescription: Prescription, to options: TrainOptions) throws -> TrainOptions {
        var result = options
        switch prescription.initialization {
        case .keep: break
        case .orthogonal(let radius):
            result.initWeights = nil
            result.initStd = nil
            result.initRecurrent = .orthogonal
            result.spectralRadius = radius
        case .identity:
            result.initWeights = nil
            result.initStd = nil
            result.initRecurrent = .identity
            result.spectralRadius = nil
        }
        if prescription.cell == .gated { result.cell = try prescription.gatedCell.map { try CellChoice(named: $0, option: "cell") } ?? .lstm }
        if let alpha = prescription.vanishingGradientRegularizer { result.vanishingGradientRegularizer = alpha }
        if result.cell?.isGated == true { result.vanishingGradientRegularizer = nil }
        if let window = prescription.truncation { result.tbptt = String(window) }
        result.optimizer = try OptimizerChoice(named: prescription.optimizer, option: "optimizer")
        result.learningRate = prescription.learningRate
        result.schedule = prescription.schedule == "constant" && options.schedule == nil ? nil : try ScheduleChoice(named: prescription.schedule, option: "schedule")
        if case .globalNorm(let threshold) = prescription.clipping {
            result.clip = .globalNorm
            result.clipThreshold = threshold
        }
        return result
    }

    /// Writes `options` as a `keel train --config` file (sorted keys), through a temporary file.
    static func writeOptions(_ options: TrainOptions, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(options).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandError("\(path): cannot write the prescription (\(error.localizedDescription))")
        }
    }

    /// The findings at initialization, in words.
    static func findings(_ diagnosis: StabilityDiagnosis) -> [String] {
        var lines: [String] = []
        for weight in diagnosis.recurrentWeights {
            lines.append("σ_max(\(weight.key)) = \(shortNumber(weight.largestSingularValue))\(weight.blockSingularValues.count > 1 ? " (largest of \(weight.blockSingularValues.count) gate blocks)" : ""): Pascanu's criterion σ_max > 1/γ = 1 \(weight.explosionPossible ? "holds (explosion possible)" : "fails (explosion impossible)")")
        }
        for cell in diagnosis.cells {
            var line = "\(cell.path): spectral radius of ∂hₜ/∂hₜ₋₁ \(shortNumber(cell.jacobianRadius)) (median over t = \(cell.sampledSteps.map(String.init).joined(separator: ", ")))"
            if let saturation = cell.gateSaturation { line += "; \(String(format: "%.1f%%", 100 * saturation)) of gate pre-activations saturated (|z| > 4.6)" }
            lines.append(line)
        }
        for profile in diagnosis.profiles {
            let horizon = profile.horizon.map { "horizon \($0) steps" } ?? "horizon ≥ \(profile.horizonOrLowerBound) steps (never below 10⁻³ of the peak)"
            lines.append("\(profile.layer): gradient-flow \(horizon), ×\(shortNumber(profile.ratePerStep)) per step back; the task's lag is \(diagnosis.taskLag) steps")
        }
        lines.append("training loss at initialization \(shortNumber(diagnosis.initialLoss)); measured in \(String(format: "%.2f", diagnosis.initializationSeconds)) s")
        return lines
    }

    /// The diagnosis for the console.
    static func describe(_ diagnosis: StabilityDiagnosis, title: String) -> String {
        "\n\(title):\n" + findings(diagnosis).map { "  \($0)\n" }.joined()
    }

    /// The probes for the console.
    static func describe(probes diagnosis: StabilityDiagnosis) -> String {
        var text = "\nProbes (\(String(format: "%.1f", diagnosis.probeSeconds)) s, on copies of the treated model):\n"
        for test in diagnosis.rangeTests {
            text += "  range test \(test.optimizer): \(test.losses.count) of \(test.plannedSteps) steps, rates \(shortNumber(test.rates.first ?? .nan))…\(shortNumber(test.rates.last ?? .nan)); lowest smoothed loss \(shortNumber(test.minimumLoss)) at \(shortNumber(test.minimumLossRate)); \(test.divergenceRate.map { "diverged at \(shortNumber($0))" } ?? "no divergence"); suggestion \(test.suggestedRate.map(shortNumber) ?? "none")\(test.timedOut ? " (time budget reached)" : "")\n"
        }
        for trial in diagnosis.rateTrials {
            text += "  trial \(trial.optimizer) at \(shortNumber(trial.learningRate)): \(trial.losses.count) of \(trial.plannedSteps) steps, loss of the last fifth \(shortNumber(trial.score))\(trial.timedOut ? " (time budget reached)" : "")\n"
        }
        if let probe = diagnosis.normProbe {
            text += "  gradient norms (\(probe.optimizer) at \(shortNumber(probe.learningRate)), \(probe.norms.count) steps, no clipping): median \(shortNumber(probe.median)), p90 \(shortNumber(probe.percentile90)), p99 \(shortNumber(probe.percentile99)), max \(shortNumber(probe.maximum)); explosion monitor would fire \(probe.explosionFirings)×\(probe.timedOut ? " (time budget reached)" : "")\n"
        }
        return text
    }

    /// The report's diagnosis section.
    static func section(diagnosis: StabilityDiagnosis, treated: StabilityDiagnosis, prescription: Prescription) -> DiagnosisSection {
        var profiles = diagnosis.profiles.map { (label: "yours: \($0.layer)", norms: $0.norms) }
        if prescription.changesStructure { profiles += treated.profiles.map { (label: "treated: \($0.layer)", norms: $0.norms) } }
        var findings = findings(diagnosis)
        if prescription.changesStructure { findings += self.findings(treated).map { "treated model: " + $0 } }
        var threshold: Double? = nil
        if case .globalNorm(let value) = prescription.clipping { threshold = value }
        return DiagnosisSection(
            items: prescription.items.map { .init(topic: $0.topic.rawValue, changes: $0.changes, advice: $0.advice, evidence: $0.evidence) },
            findings: findings, profiles: profiles,
            rangeTests: treated.rangeTests.map { .init(label: $0.optimizer, rates: $0.rates, losses: $0.smoothedLosses, divergenceRate: $0.divergenceRate) },
            chosenRate: prescription.learningRate, norms: treated.normProbe?.norms ?? [], clipThreshold: threshold ?? treated.normProbe?.clipThreshold)
    }
}
