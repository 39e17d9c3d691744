/// Keeps a bounded history of global gradient norms and exposes its statistics: percentiles,
/// mean, and the clip rate. It never changes the verdict.
///
/// Clip counting has two sources, and the reports win when both are used:
/// - `clipThreshold`: a step counts as clipped when its pre-clip norm exceeds the threshold;
/// - ``recordClipReports(_:)``: the trainer passes the gradient pipeline's `TransformReport`s
///   after the pipeline ran; the last recorded step counts as clipped when any clip report fired.
///
/// Percentiles use NumPy's default (`linear`) interpolation over the finite norms in the history.
/// Non-finite norms are counted (``nonFiniteCount``) but kept out of the history.
///
/// Cost: O(1) amortized per step; a percentile query sorts the history (O(n log n)).
public struct GradientNormTracker: Monitor {
    /// The most norms kept.
    public var capacity: Int
    /// Count steps with ‖g‖ above this as clipped (nil: only clip reports count).
    public var clipThreshold: Double?
    /// The finite global norms, oldest first.
    public private(set) var norms: [Double] = []
    /// Whether each step in ``norms`` was clipped.
    public private(set) var clipped: [Bool] = []
    /// Non-finite norms seen in total.
    public private(set) var nonFiniteCount: Int = 0
    /// Steps inspected in total.
    public private(set) var stepCount: Int = 0

    /// - Parameters:
    ///   - capacity: the most norms kept (≥ 1); default 1000, like `QuantileClip`.
    ///   - clipThreshold: count norms above it as clipped (nil: rely on clip reports).
    public init(capacity: Int = 1000, clipThreshold: Double? = nil) {
        precondition(capacity >= 1, "GradientNormTracker: capacity must be ≥ 1")
        self.capacity = capacity
        self.clipThreshold = clipThreshold
    }

    public mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        record(observation.globalGradientNorm)
        return .proceed
    }

    /// Records one global norm (what ``inspect(_:)`` does with the observation's).
    public mutating func record(_ norm: Double) {
        stepCount += 1
        guard norm.isFinite else {
            nonFiniteCount += 1
            return
        }
        norms.append(norm)
        clipped.append(clipThreshold.map { norm > $0 } ?? false)
        if norms.count > capacity {
            norms.removeFirst(norms.count - capacity)
            clipped.removeFirst(clipped.count - capacity)
        }
    }

    /// Marks the last recorded step as clipped when any clip report fired (call after the pipeline).
    public mutating func recordClipReports(_ reports: [TransformReport]) {
        guard !clipped.isEmpty else { return }
        clipped[clipped.count - 1] = reports.contains { $0.isFiredClip }
    }

    /// The `q`-th percentile (0…100) of the history, NumPy `linear`; NaN when empty.
    public func percentile(_ q: Double) -> Double {
        SampleStatistics.percentile(sorted: norms.sorted(), q)
    }

    /// Several percentiles with one sort.
    public func percentiles(_ qs: [Double]) -> [Double] {
        let sorted = norms.sorted()
        return qs.map { SampleStatistics.percentile(sorted: sorted, $0) }
    }

    /// The mean of the history; NaN when empty.
    public var mean: Double { SampleStatistics.mean(norms) }
    /// The median of the history; NaN when empty.
    public var median: Double { percentile(50) }
    /// The largest norm in the history.
    public var maximum: Double? { norms.max() }
    /// The most recent finite norm.
    public var latest: Double? { norms.last }
    /// The fraction of steps in the history that were clipped; 0 when empty.
    public var clipRate: Double {
        clipped.isEmpty ? 0 : Double(clipped.reduce(0) { $0 + ($1 ? 1 : 0) }) / Double(clipped.count)
    }
}
