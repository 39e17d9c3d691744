import Foundation

/// The doctor's prescription: one decision per topic, each with the evidence it rests on, in
/// plain words.
///
/// It is built in two stages. ``init(setup:diagnosis:policy:)`` decides from the measurements at
/// initialization (initialization, cell, vanishing-gradient regularizer, truncated BPTT);
/// ``completed(with:)`` adds what the probes decide (optimizer and learning rate, schedule,
/// clipping). A topic whose evidence shows no problem keeps the user's choice: the doctor changes
/// only what it can show is wrong.
///
/// ## Rules
/// - **Initialization.** ReLU recurrence whose weights are not the identity: the identity (Le et
///   al. 2015). Otherwise, when the measured recurrent Jacobian radius exceeds 1.05, the profile
///   grows backwards, or (tanh, ReLU, other cells) σ_max(W_hh) > 1.05/γ, or the profile vanishes
///   with a Jacobian radius below 0.95: orthogonal at spectral radius 1 (Saxe et al. 2014; for
///   gated cells per gate block), unless it is already that.
/// - **Cell.** When the horizon is shorter than the task's lag and the cell is not gated: a gated
///   cell (LSTM), whose additive cell path keeps gradients over long lags (Hochreiter &
///   Schmidhuber 1997). With ``Policy/allowsCellChange`` off, the regularizer instead.
/// - **Vanishing-gradient regularizer.** A vanishing profile on a tanh/ReLU cell that stays:
///   Pascanu et al.'s Ω with α = 2 (their code's default).
/// - **Truncated BPTT.** Models that output every step, whose horizon h is shorter than T/2:
///   windows of max(2h, 8) steps (backpropagating further carries less than 10⁻³ of the gradient).
///   Never for last-step models: only the last window would have a loss.
/// - **Learning rate.** Range tests of the user's optimizer and the alternatives: switch to an
///   alternative whose lowest smoothed loss is more than 10% below the user's; lower the rate to
///   the suggestion when the user's rate is above a third of the divergence point; raise it to the
///   suggestion when that is more than 10× the user's rate; else keep it.
/// - **Schedule.** Cosine decay to 1% when the chosen rate is within 10× of a divergence point,
///   else keep the user's.
/// - **Clipping.** No clipping: global-norm clipping at the median gradient norm of the probe at
///   the chosen rate (see ``GradientNormProbe``). Clipping already on: keep it.
public struct Prescription: Sendable, Codable, Hashable {
    /// The recurrent-weight initialization advised.
    public enum Initialization: Sendable, Codable, Hashable {
        /// Keep the user's.
        case keep
        /// Orthogonal recurrent weights scaled to this spectral radius (per gate block).
        case orthogonal(spectralRadius: Double)
        /// The identity (IRNN, for ReLU recurrences).
        case identity
    }

    /// The cell advised.
    public enum CellChoice: String, Sendable, Codable, Hashable {
        /// Keep the user's.
        case keep
        /// A gated cell (LSTM).
        case gated
    }

    /// The clipping advised.
    public enum Clipping: Sendable, Codable, Hashable {
        /// Keep the user's.
        case keep
        /// Global-norm clipping at this threshold.
        case globalNorm(threshold: Double)
    }

    /// What a prescription item is about.
    public enum Topic: String, Sendable, Codable, Hashable, CaseIterable {
        /// The recurrent-weight initialization.
        case initialization
        /// The recurrent cell.
        case cell
        /// Gradient clipping.
        case clipping
        /// The optimizer and its rate.
        case learningRate = "learning rate"
        /// The learning-rate schedule.
        case schedule
        /// Truncated backpropagation through time.
        case truncation = "truncated BPTT"
        /// Pascanu et al.'s vanishing-gradient regularizer.
        case regularizer = "vanishing-gradient regularizer"
    }

    /// One decision in words.
    public struct Item: Sendable, Codable, Hashable {
        /// What it is about.
        public var topic: Topic
        /// Whether it changes the user's set-up.
        public var changes: Bool
        /// The decision.
        public var advice: String
        /// The measurements it rests on.
        public var evidence: String

        /// An item; see the properties.
        public init(topic: Topic, changes: Bool, advice: String, evidence: String) {
            self.topic = topic
            self.changes = changes
            self.advice = advice
            self.evidence = evidence
        }
    }

    /// What the rules may change.
    public struct Policy: Sendable, Codable, Hashable {
        /// Whether the cell may be changed to a gated one (off: the regularizer treats vanishing).
        public var allowsCellChange: Bool
        /// The optimizers probed besides the user's (by name), e.g. `["adam"]`.
        public var alternativeOptimizers: [String]

        /// A policy; by default the cell may change and Adam is the alternative.
        public init(allowsCellChange: Bool = true, alternativeOptimizers: [String] = ["adam"]) {
            self.allowsCellChange = allowsCellChange
            self.alternativeOptimizers = alternativeOptimizers
        }
    }

    /// The user's set-up it was written for.
    public var setup: TrainingSetup
    /// The initialization.
    public var initialization: Initialization
    /// The cell.
    public var cell: CellChoice
    /// With ``CellChoice/gated``: which gated cell (`lstm` unless ``choose(gatedCell:evidence:)``
    /// picked another from measurements); `nil` otherwise.
    public var gatedCell: String?
    /// The clipping.
    public var clipping: Clipping
    /// The optimizer.
    public var optimizer: String
    /// The base learning rate.
    public var learningRate: Double
    /// The schedule.
    public var schedule: String
    /// The truncated-BPTT window (nil: the user's).
    public var truncation: Int?
    /// α of the vanishing-gradient regularizer (nil: the user's).
    public var vanishingGradientRegularizer: Double?
    /// The decisions in words, in topic order.
    public var items: [Item]

    /// The structural part: initialization, cell, regularizer and truncation from the
    /// measurements at initialization; optimization kept as the user's until
    /// ``completed(with:)``.
    public init(setup: TrainingSetup, diagnosis: StabilityDiagnosis, policy: Policy = Policy()) {
        self.setup = setup
        optimizer = setup.optimizer
        learningRate = setup.learningRate
        schedule = setup.schedule
        clipping = .keep
        truncation = nil
        vanishingGradientRegularizer = nil
        items = []
        let profile = diagnosis.profiles.min { $0.horizonOrLowerBound < $1.horizonOrLowerBound }
        let radius = diagnosis.largestJacobianRadius
        let sigma = diagnosis.recurrentWeights.map(\.largestSingularValue).max()
        let horizonWords = profile.map { profileWords($0, taskLag: diagnosis.taskLag) } ?? "no gradient-flow profile was recorded"
        let radiusWords = radius.map { "the recurrent Jacobian ∂hₜ/∂hₜ₋₁ has spectral radius \(number($0)) on the data" } ?? "the cells could not be stepped"
        let sigmaWords = sigma.map { "σ_max(W_hh) = \(number($0)) against 1/γ = 1 (Pascanu's criterion: \($0 > 1.001 ? "explosion possible" : "explosion impossible, vanishing when the Jacobian is below 1"))" } ?? "no recurrent weights were found"

        // Cell first: the initialization advice depends on the cell that stays.
        let vanishes = diagnosis.vanishes
        var cell: CellChoice = .keep
        gatedCell = nil
        if vanishes && setup.recurrence != .gated && policy.allowsCellChange {
            cell = .gated
            gatedCell = "lstm"
            items.append(Item(
                topic: .cell, changes: true, advice: "use a gated cell (LSTM)",
                evidence: "\(horizonWords): the task needs \(diagnosis.taskLag) steps. An LSTM's additive cell path carries gradients across long lags (Hochreiter & Schmidhuber 1997)."))
        } else {
            items.append(Item(
                topic: .cell, changes: false, advice: "keep the cell",
                evidence: !vanishes ? "\(horizonWords), enough for the task's \(diagnosis.taskLag) steps"
                    : setup.recurrence == .gated ? "\(horizonWords), short of the task's \(diagnosis.taskLag) steps, but the cell is already gated: its gates learn to keep memory"
                    : "\(horizonWords), short of the task's \(diagnosis.taskLag) steps, but the cell may not change (the regularizer treats it instead)"))
        }
        self.cell = cell

        let recurrence = cell == .gated ? TrainingSetup.Recurrence.gated : setup.recurrence
        let exploding = (radius ?? 0) > 1.05 || diagnosis.explodes || (recurrence != .gated && (sigma ?? 0) > 1.05)
        let contracting = vanishes && (radius ?? 1) < 0.95
        if recurrence == .relu && setup.initialization != "identity" {
            initialization = .identity
            items.append(Item(
                topic: .initialization, changes: true, advice: "identity recurrent weights (IRNN)",
                evidence: "a ReLU recurrence starting at W_hh = I passes hₜ₋₁ through unchanged, so the gradient neither grows nor shrinks at first (Le, Jaitly & Hinton 2015); now \(sigmaWords)."))
        } else if cell == .gated {
            initialization = .orthogonal(spectralRadius: 1)
            items.append(Item(
                topic: .initialization, changes: true, advice: "orthogonal recurrent weights at spectral radius 1, per gate block",
                evidence: "with the new gated cell; orthogonal blocks keep every singular value at 1, neither amplifying nor damping the state (Saxe et al. 2014)."))
        } else if (exploding || contracting) && !setup.isOrthogonalAtUnitRadius {
            initialization = .orthogonal(spectralRadius: 1)
            items.append(Item(
                topic: .initialization, changes: true, advice: "orthogonal recurrent weights at spectral radius 1",
                evidence: "\(radiusWords) and \(sigmaWords): \(exploding ? "the back-flowing gradient can grow step after step" : "it shrinks step after step"). An orthogonal W_hh has every singular value 1 (Saxe et al. 2014)."))
        } else {
            initialization = .keep
            items.append(Item(
                topic: .initialization, changes: false, advice: "keep the initialization",
                evidence: "\(radiusWords); \(sigmaWords)."))
        }

        if vanishes && cell == .keep && (setup.recurrence == .tanh || setup.recurrence == .relu) && setup.vanishingGradientRegularizer == nil {
            vanishingGradientRegularizer = 2
            items.append(Item(
                topic: .regularizer, changes: true, advice: "Pascanu's vanishing-gradient regularizer Ω with α = 2, with clipping",
                evidence: "\(horizonWords), shorter than the task's \(diagnosis.taskLag) steps; Ω pushes each step's Jacobian to keep the gradient's norm (Pascanu et al. 2013, §3.3)."))
        } else {
            items.append(Item(
                topic: .regularizer, changes: false, advice: "no regularizer change",
                evidence: vanishes ? (cell == .gated ? "the gated cell treats the short horizon" : "the regularizer applies to tanh/ReLU RNNs only, or is already on") : "the gradient reaches back far enough"))
        }

        if setup.outputsSequence, let horizon = diagnosis.shortestHorizon, horizon < diagnosis.sequenceLength / 2 {
            let window = max(2 * horizon, 8)
            if setup.truncation.map({ $0 > window }) ?? true {
                truncation = window
                items.append(Item(
                    topic: .truncation, changes: true, advice: "truncated BPTT with windows of \(window) steps",
                    evidence: "the gradient falls below 10⁻³ of its peak within \(horizon) steps of a \(diagnosis.sequenceLength)-step sequence: backpropagating further costs time and carries nothing."))
            }
        }
        if truncation == nil {
            items.append(Item(
                topic: .truncation, changes: false, advice: "keep the backpropagation length",
                evidence: setup.outputsSequence ? "the gradient reaches back over half the sequence or more" : "the loss is on the last step only: every window before the last would have no loss"))
        }
    }

    /// Names the gated cell to prescribe (e.g. `gru`), with the measurements that chose it, when
    /// the prescription changes the cell; otherwise nothing changes.
    public mutating func choose(gatedCell name: String, evidence: String) {
        guard cell == .gated, let index = items.firstIndex(where: { $0.topic == .cell }) else { return }
        gatedCell = name
        items[index].advice = "use a gated cell (\(name.uppercased()))"
        items[index].evidence += " " + evidence
    }

    /// The prescription with the probes' decisions added: optimizer and rate from the range
    /// tests, schedule, and clipping from the norm probe (see the type's rules).
    public func completed(with diagnosis: StabilityDiagnosis) -> Prescription {
        var result = self
        result.items.removeAll { $0.topic == .learningRate || $0.topic == .schedule || $0.topic == .clipping }
        let choice = Self.chooseRate(setup: setup, diagnosis: diagnosis)
        result.optimizer = choice.optimizer
        result.learningRate = choice.rate
        result.items.append(Item(topic: .learningRate, changes: choice.changes, advice: choice.advice, evidence: choice.evidence))
        if let divergence = choice.divergence, divergence <= 10.0001 * choice.rate {
            result.schedule = "cosine"
            result.items.append(Item(
                topic: .schedule, changes: setup.schedule != "cosine", advice: "cosine decay to 1% of the rate",
                evidence: "the rate is within 10× of where the loss diverged (\(number(divergence))); decaying it moves late training away from that edge."))
        } else {
            result.schedule = setup.schedule
            result.items.append(Item(
                topic: .schedule, changes: false, advice: "keep the schedule (\(setup.schedule))",
                evidence: choice.divergence == nil ? "the loss did not diverge within the range tested" : "the rate is more than 10× below the divergence point"))
        }
        if let probe = diagnosis.normProbe {
            let statistics = "over \(probe.norms.count) steps at rate \(number(probe.learningRate)) without clipping, ‖g‖ had median \(number(probe.median)), 90th percentile \(number(probe.percentile90)), maximum \(number(probe.maximum))\(probe.nonFiniteSteps > 0 ? ", \(probe.nonFiniteSteps) non-finite" : ""); the default explosion monitor would have fired \(probe.explosionFirings) time(s)"
            if setup.clips {
                result.clipping = .keep
                result.items.append(Item(topic: .clipping, changes: false, advice: "keep your clipping", evidence: statistics + "."))
            } else if probe.clipThreshold.isFinite && probe.clipThreshold > 0 {
                result.clipping = .globalNorm(threshold: probe.clipThreshold)
                result.items.append(Item(
                    topic: .clipping, changes: true, advice: "global-norm clipping at \(number(probe.clipThreshold))",
                    evidence: statistics + ". Rule: the median norm (Pascanu et al.: a threshold around the average norm), which would have rescaled \(Int((100 * probe.fractionAbove(probe.clipThreshold)).rounded()))% of these steps."))
            } else {
                result.clipping = .globalNorm(threshold: 1)
                result.items.append(Item(topic: .clipping, changes: true, advice: "global-norm clipping at 1", evidence: statistics + "; no finite median, so the conventional threshold 1."))
            }
        } else {
            result.clipping = .keep
            result.items.append(Item(topic: .clipping, changes: false, advice: "keep your clipping", evidence: "the gradient-norm probe did not run (no time left)."))
        }
        result.items.sort { Topic.allCases.firstIndex(of: $0.topic)! < Topic.allCases.firstIndex(of: $1.topic)! }
        return result
    }

    /// The optimizer and rate the probes support. With trials: the user's when its loss is within
    /// a tenth of the loss drop (first fifth to last fifth) of the best trial, or when no trial
    /// halved the loss (they then show nothing to choose by); otherwise, of the
    /// trials within that tenth of the best, the one whose rate is furthest below its optimizer's
    /// divergence point. Without trials: the range test of the user's optimizer (lower the rate to
    /// its suggestion when it is above a third of the divergence point).
    static func chooseRate(setup: TrainingSetup, diagnosis: StabilityDiagnosis) -> (
        optimizer: String, rate: Double, changes: Bool, advice: String, evidence: String, divergence: Double?
    ) {
        let tests = diagnosis.rangeTests
        let own = tests.first { $0.optimizer == setup.optimizer }
        let divergence = { (name: String) in tests.first { $0.optimizer == name }?.divergenceRate }
        let rangeWords = tests.map(testWords).joined(separator: "; ")
        let trials = LearningRateTrial.comparable(diagnosis.rateTrials)
        if let mine = trials.first(where: { $0.optimizer == setup.optimizer && abs($0.learningRate / setup.learningRate - 1) < 1e-9 }),
           let best = trials.min(by: { $0.score < $1.score }), best.score.isFinite {
            // As good as the best: within a tenth of the loss drop the trials achieved.
            let start = mine.startLoss.isFinite ? mine.startLoss : best.startLoss
            let tolerance = 0.1 * Swift.max(start - best.score, 0)
            let trialWords = "after \(mine.plannedSteps) steps without clipping, the mean training loss of the last fifth was " +
                trials.map { "\(number($0.score)) for \($0.optimizer) at \(number($0.learningRate))" }.joined(separator: ", ") +
                " (from \(number(start)) in the first fifth)"
            if mine.score <= best.score + tolerance {
                return (
                    setup.optimizer, setup.learningRate, false, "keep \(setup.optimizer) at \(number(setup.learningRate))",
                    "\(trialWords): yours is within a tenth of the loss drop of the best. Range tests: \(rangeWords).", divergence(setup.optimizer))
            }
            if !(best.score < 0.5 * start) {
                return (
                    setup.optimizer, setup.learningRate, false, "keep \(setup.optimizer) at \(number(setup.learningRate))",
                    "\(trialWords): no trial halved the loss, so they cannot tell the rates apart. Range tests: \(rangeWords).",
                    divergence(setup.optimizer))
            }
            // Among the trials as good as the best, the one furthest below its optimizer's edge.
            func edge(_ trial: LearningRateTrial) -> Double {
                let test = tests.first { $0.optimizer == trial.optimizer }
                return test?.divergenceRate ?? test?.minimumLossRate ?? trial.learningRate
            }
            let chosen = trials.filter { $0.score <= best.score + tolerance }.min { $0.learningRate / edge($0) < $1.learningRate / edge($1) } ?? best
            let advice =
                chosen.optimizer != setup.optimizer ? "\(chosen.optimizer) at \(number(chosen.learningRate))"
                : chosen.learningRate < setup.learningRate ? "lower the rate to \(number(chosen.learningRate)) (\(setup.optimizer))"
                : "raise the rate to \(number(chosen.learningRate)) (\(setup.optimizer))"
            return (
                chosen.optimizer, chosen.learningRate, true, advice,
                "\(trialWords): yours \(number(mine.score)) is more than a tenth of the loss drop behind the best \(number(best.score)); of the trials within that tenth, \(chosen.optimizer) at \(number(chosen.learningRate)) is furthest below its divergence point. Range tests: \(rangeWords).",
                divergence(chosen.optimizer))
        }
        guard let own else {
            return (setup.optimizer, setup.learningRate, false, "keep \(setup.optimizer) at \(number(setup.learningRate))", "no range test ran (no time left)", nil)
        }
        if let edge = own.divergenceRate, setup.learningRate > edge / 3 {
            let rate = own.suggestedRate ?? edge / 10
            return (
                setup.optimizer, rate, true, "lower the rate to \(number(rate)) (\(setup.optimizer))",
                "your rate \(number(setup.learningRate)) is above a third of the divergence point: \(testWords(own)).", edge)
        }
        return (
            setup.optimizer, setup.learningRate, false, "keep \(setup.optimizer) at \(number(setup.learningRate))",
            "\(testWords(own)); your rate is in the usable range.", own.divergenceRate)
    }
}

/// "the gradient falls below 10⁻³ of its peak after 19 steps (×0.70 per step)".
func profileWords(_ profile: GradientFlowProfile, taskLag: Int) -> String {
    let rate = "×\(number(profile.ratePerStep)) per step"
    if let horizon = profile.horizon {
        return "the back-flowing gradient falls below 10⁻³ of its peak after \(horizon) steps (\(rate))"
    }
    return "the back-flowing gradient stays above 10⁻³ of its peak over all \(profile.norms.count) steps (\(rate))"
}

/// "sgd: loss 0.17 → 0.15 at 0.3, diverged at 2.1, suggests 0.03".
func testWords(_ test: LearningRateRangeTest) -> String {
    var words = "\(test.optimizer) range test over \(test.losses.count) steps from \(number(test.rates.first ?? .nan)): lowest smoothed loss \(number(test.minimumLoss)) at \(number(test.minimumLossRate))"
    words += test.divergenceRate.map { ", diverged at \(number($0))" } ?? ", no divergence up to \(number(test.rates.last ?? .nan))"
    words += test.suggestedRate.map { ", suggests \(number($0))" } ?? ", no rate lowered the loss by 10%"
    if test.timedOut { words += " (cut short by the time budget)" }
    return words
}

/// Three significant digits.
func number(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
    return String(format: "%.3g", value)
}
