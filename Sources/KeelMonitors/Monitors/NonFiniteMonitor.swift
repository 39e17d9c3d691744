/// Fires when the loss or any gradient holds NaN or ±∞ (PyTorch's `error_if_nonfinite`, Optax's
/// `apply_if_finite`, Keras' `TerminateOnNaN`, as one detector).
///
/// The reason names the **first non-finite parameter in backward order**
/// (`StepObservation.firstNonFiniteKey`, where the explosion started), falling back to the
/// first in model order, and counts the others (pytorch#46849 asked for exactly that name).
///
/// After `escalateAfter` consecutive non-finite steps the monitor returns `escalation` instead of
/// `action` (by default: skip a lone bad step, roll back when it keeps happening, since repeated
/// NaNs usually mean the parameters or optimizer moments are already corrupted).
///
/// Cost: O(#parameters) per step.
public struct NonFiniteMonitor: Monitor {
    /// The action for an isolated non-finite step; default ``MonitorAction/skipUpdate``.
    public var action: MonitorAction
    /// Consecutive non-finite steps after which `escalation` applies (nil: never); default 3.
    public var escalateAfter: Int?
    /// The action once `escalateAfter` is reached; default ``MonitorAction/rollback``.
    public var escalation: MonitorAction
    /// How many steps in a row (including the last inspected one) were non-finite.
    public private(set) var consecutiveNonFiniteSteps: Int = 0
    /// How many non-finite steps this monitor has seen in total.
    public private(set) var totalNonFiniteSteps: Int = 0
    /// The findings of the last inspected step.
    public private(set) var findings: [String] = []

    /// - Parameters:
    ///   - action: what to do about an isolated non-finite step.
    ///   - escalateAfter: consecutive non-finite steps that trigger `escalation` (nil: never).
    ///   - escalation: what to do once that many happened in a row.
    public init(action: MonitorAction = .skipUpdate, escalateAfter: Int? = 3, escalation: MonitorAction = .rollback) {
        precondition(escalateAfter.map { $0 >= 1 } ?? true, "NonFiniteMonitor: escalateAfter must be ≥ 1")
        self.action = action
        self.escalateAfter = escalateAfter
        self.escalation = escalation
    }

    public mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        findings.removeAll(keepingCapacity: true)
        guard observation.hasNonFiniteValues else {
            consecutiveNonFiniteSteps = 0
            return .proceed
        }
        consecutiveNonFiniteSteps += 1
        totalNonFiniteSteps += 1
        let reason = Self.describe(observation)
        findings.append(reason)
        if let limit = escalateAfter, consecutiveNonFiniteSteps >= limit {
            return escalation.verdict(reason: reason + " (\(consecutiveNonFiniteSteps) steps in a row)")
        }
        return action.verdict(reason: reason)
    }

    /// The sentence used as the reason: which value was non-finite and where it started.
    static func describe(_ observation: StepObservation) -> String {
        var parts: [String] = []
        if !observation.loss.isFinite { parts.append("loss is \(observation.loss)") }
        let badCount = observation.nonFiniteCounts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        let first = observation.firstNonFiniteKey
            ?? observation.nonFiniteCounts.firstIndex(where: { $0 > 0 }).map { observation.parameterKeys[$0] }
        if let first {
            var text = "gradient of \(first) is non-finite (first in backward order"
            if badCount > 1 { text += "; \(badCount) parameters non-finite" }
            parts.append(text + ")")
        } else if !observation.globalGradientNorm.isFinite {
            parts.append("global gradient norm is \(observation.globalGradientNorm)")
        }
        return "non-finite values: " + parts.joined(separator: ", ")
    }
}
