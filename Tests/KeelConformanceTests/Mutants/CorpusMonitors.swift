import Foundation
import KeelConformance

// The mutant corpus's monitors, with the scripts their authors would write.

/// Skips a step whose loss is NaN or ±∞ and stops after `patience` in a row; with one bug.
struct CorpusNonFiniteMonitor: Monitor {
    enum Bug: String, Sendable, CaseIterable, Codable {
        case none
        /// Also fires on finite losses above 10⁶.
        case firesOnLargeLosses
        /// Checks `isNaN` only: ±∞ passes.
        case ignoresInfinity
        /// Fires on negative losses (a log-likelihood can be negative).
        case firesOnNegativeLosses
        /// The run counter is not encoded.
        case counterNotEncoded
        /// Fires on losses above Float's largest finite value (≈ 3.4e38), which a Double loss may exceed.
        case firesAboveFloatRange
    }

    var bug: Bug
    var patience = 2
    var run = 0

    init(_ bug: Bug) { self.bug = bug }

    enum CodingKeys: String, CodingKey { case bug, patience, run }
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        bug = try container.decode(Bug.self, forKey: .bug)
        patience = try container.decode(Int.self, forKey: .patience)
        run = bug == .counterNotEncoded ? 0 : try container.decode(Int.self, forKey: .run)
    }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(bug, forKey: .bug)
        try container.encode(patience, forKey: .patience)
        try container.encode(run, forKey: .run)
    }

    func isBad(_ loss: Double) -> Bool {
        switch bug {
        case .firesOnLargeLosses: !loss.isFinite || loss > 1e6
        case .ignoresInfinity: loss.isNaN
        case .firesOnNegativeLosses: !loss.isFinite || loss < 0
        case .firesAboveFloatRange: !loss.isFinite || loss > Double(Float.greatestFiniteMagnitude)
        default: !loss.isFinite
        }
    }

    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        guard isBad(observation.loss) else {
            run = 0
            return .proceed
        }
        run += 1
        return run >= patience ? .stop(reason: "\(run) non-finite losses in a row") : .skipUpdate(reason: "non-finite loss")
    }

    /// The author's script.
    static let script: [ScriptedStep] = [
        .step(0, loss: 1, expect: .proceed),
        .step(1, loss: .nan, expect: .skipUpdate),
        .step(2, loss: 2, expect: .proceed),
        .step(3, loss: .nan, expect: .skipUpdate),
        .step(4, loss: .nan, expect: .stop),
        .step(5, loss: 0.5, expect: .proceed),
    ]
}

/// Reduce-on-plateau: halves the learning rate when the loss has not improved by a relative
/// `threshold` for `patience` steps; with one bug.
struct CorpusPlateauMonitor: Monitor {
    enum Bug: String, Sendable, CaseIterable, Codable {
        case none
        /// Improvement measured in absolute terms (best − loss > threshold).
        case absoluteThreshold
        /// The best loss is not encoded.
        case bestNotEncoded
        /// The wait counter lives in a class shared by copies.
        case sharedCounter
    }

    var bug: Bug
    var patience = 3
    var threshold = 1e-2
    var best = Double.infinity
    var wait = 0
    var shared = SharedWait()

    init(_ bug: Bug) { self.bug = bug }

    enum CodingKeys: String, CodingKey { case bug, patience, threshold, best, wait }
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        bug = try container.decode(Bug.self, forKey: .bug)
        patience = try container.decode(Int.self, forKey: .patience)
        threshold = try container.decode(Double.self, forKey: .threshold)
        best = bug == .bestNotEncoded ? .infinity : try container.decode(Double.self, forKey: .best)
        wait = try container.decode(Int.self, forKey: .wait)
        shared.value = wait
    }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(bug, forKey: .bug)
        try container.encode(patience, forKey: .patience)
        try container.encode(threshold, forKey: .threshold)
        try container.encode(best, forKey: .best)
        try container.encode(bug == .sharedCounter ? shared.value : wait, forKey: .wait)
    }

    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        let loss = observation.loss
        guard loss.isFinite else { return .proceed }
        let improved = bug == .absoluteThreshold ? best - loss > threshold : loss < best * (1 - threshold)
        var counter = bug == .sharedCounter ? shared.value : wait
        if improved || best == .infinity {
            best = min(best, loss)
            counter = 0
        } else {
            counter += 1
        }
        var verdict = MonitorVerdict.proceed
        if counter >= patience {
            counter = 0
            verdict = .scaleLearningRate(factor: 0.5, reason: "no improvement for \(patience) steps")
        }
        if bug == .sharedCounter { shared.value = counter } else { wait = counter }
        return verdict
    }

    /// The author's script (losses around 1).
    static let script: [ScriptedStep] = [
        .step(0, loss: 1.0, expect: .proceed),
        .step(1, loss: 0.5, expect: .proceed),
        .step(2, loss: 0.499, expect: .proceed),
        .step(3, loss: 0.498, expect: .proceed),
        .step(4, loss: 0.497, expect: .scaleLearningRate(factor: 0.5)),
        .step(5, loss: 0.2, expect: .proceed),
    ]
}

/// A counter in a class: copies of a monitor share it.
final class SharedWait: @unchecked Sendable {
    var value = 0
}

/// Skips a step whose loss exceeds `factor` times the running mean of the losses before it; with
/// one bug.
struct CorpusSpikeMonitor: Monitor {
    enum Bug: String, Sendable, CaseIterable, Codable {
        case none
        /// Compares with mean + factor (absolute) instead of factor·mean.
        case absoluteMargin
        /// The running mean is not encoded.
        case meanNotEncoded
        /// The spike itself enters the running mean (raising the bar after every spike).
        case learnsFromSpikes
    }

    var bug: Bug
    var factor = 3.0
    var mean: Double?
    var count = 0

    init(_ bug: Bug) { self.bug = bug }

    enum CodingKeys: String, CodingKey { case bug, factor, mean, count }
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        bug = try container.decode(Bug.self, forKey: .bug)
        factor = try container.decode(Double.self, forKey: .factor)
        mean = bug == .meanNotEncoded ? nil : try container.decodeIfPresent(Double.self, forKey: .mean)
        count = try container.decode(Int.self, forKey: .count)
    }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(bug, forKey: .bug)
        try container.encode(factor, forKey: .factor)
        try container.encodeIfPresent(mean, forKey: .mean)
        try container.encode(count, forKey: .count)
    }

    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        let loss = observation.loss
        guard loss.isFinite else { return .proceed }
        defer { count += 1 }
        guard let current = mean else {
            mean = loss
            return .proceed
        }
        let spike = bug == .absoluteMargin ? loss > current + factor : loss > factor * current
        if !spike || bug == .learnsFromSpikes { mean = current + (loss - current) / Double(min(count + 1, 20)) }
        return spike ? .skipUpdate(reason: "loss \(loss) > \(factor)× mean \(current)") : .proceed
    }

    /// The author's script.
    static let script: [ScriptedStep] = [
        .step(0, loss: 1.0, expect: .proceed),
        .step(1, loss: 1.1, expect: .proceed),
        .step(2, loss: 10, expect: .skipUpdate),
        .step(3, loss: 0.9, expect: .proceed),
    ]
}
