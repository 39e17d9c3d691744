import KeelCore

/// Watches how often the gradient pipeline clips, from its clip reports: over a window of recent
/// steps, a clip rate above `warnAbove` is a warning (a finding, the step proceeds), and above
/// `reduceAbove` it halves the learning rate once per window, since clipping nearly every step
/// means the learning rate is too high for the threshold.
public struct ClipRateMonitor: Monitor {
    /// The window's length in steps.
    public var window: Int
    /// The clip rate that produces a warning.
    public var warnAbove: Double
    /// The clip rate that halves the learning rate.
    public var reduceAbove: Double
    /// Whether each recent step was clipped, oldest first (the monitor's history).
    public private(set) var recent: [Bool] = []
    /// Steps since the last learning-rate reduction.
    public private(set) var sinceReduction = 0
    public private(set) var findings: [String] = []

    /// - Precondition: `window` ≥ 1 and 0 ≤ `warnAbove` ≤ `reduceAbove` ≤ 1.
    public init(window: Int = 20, warnAbove: Double = 0.5, reduceAbove: Double = 0.9) {
        precondition(window >= 1 && 0 <= warnAbove && warnAbove <= reduceAbove && reduceAbove <= 1, "ClipRateMonitor: invalid settings")
        self.window = window
        self.warnAbove = warnAbove
        self.reduceAbove = reduceAbove
    }

    /// The clip rate over the window (0 when empty).
    public var clipRate: Double { recent.isEmpty ? 0 : Double(recent.filter { $0 }.count) / Double(recent.count) }

    public mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        sinceReduction += 1
        findings = []
        guard recent.count == window else { return .proceed }
        let rate = clipRate
        if rate > reduceAbove && sinceReduction >= window {
            sinceReduction = 0
            return .scaleLearningRate(factor: 0.5, reason: "clipped \(Int(rate * 100))% of the last \(window) steps")
        }
        if rate > warnAbove { findings = ["clipped \(Int(rate * 100))% of the last \(window) steps"] }
        return .proceed
    }

    /// Records whether the step just inspected was clipped (any clip report fired).
    public mutating func recordClipReports(_ reports: [TransformReport]) {
        recent.append(reports.contains { $0.isFiredClip })
        if recent.count > window { recent.removeFirst(recent.count - window) }
    }
}
