import Foundation

/// The diagnosis section of a report (`keel doctor`): the prescription with its evidence, the
/// gradient-flow profile at initialization, the learning-rate range test and the gradient-norm
/// histogram with the chosen clip threshold. Plain data in, HTML out: it goes into
/// ``HTMLReport/summaryHTML``.
public struct DiagnosisSection: Sendable {
    /// One prescription line.
    public struct Item: Sendable {
        /// What it is about ("initialization", …).
        public var topic: String
        /// Whether it changes the user's set-up.
        public var changes: Bool
        /// The decision.
        public var advice: String
        /// The measurements behind it.
        public var evidence: String

        /// An item; see the properties.
        public init(topic: String, changes: Bool, advice: String, evidence: String) {
            self.topic = topic
            self.changes = changes
            self.advice = advice
            self.evidence = evidence
        }
    }

    /// One learning-rate range test's curve.
    public struct RangeTestCurve: Sendable {
        /// The optimizer's name.
        public var label: String
        /// The rates, one per step.
        public var rates: [Double]
        /// The smoothed losses, one per step kept.
        public var losses: [Double]
        /// Where the loss diverged, if it did.
        public var divergenceRate: Double?

        /// A curve; see the properties.
        public init(label: String, rates: [Double], losses: [Double], divergenceRate: Double?) {
            self.label = label
            self.rates = rates
            self.losses = losses
            self.divergenceRate = divergenceRate
        }
    }

    /// The prescription, in topic order.
    public var items: [Item]
    /// Findings at initialization, one sentence each.
    public var findings: [String]
    /// ‖∂L/∂hₜ‖ at initialization per labelled model/layer, t = 0 ..< T.
    public var profiles: [(label: String, norms: [Double])]
    /// The range tests.
    public var rangeTests: [RangeTestCurve]
    /// The chosen learning rate (marked on the range-test chart).
    public var chosenRate: Double?
    /// The gradient norms of the norm probe.
    public var norms: [Double]
    /// The chosen clip threshold (marked on the histogram), if any.
    public var clipThreshold: Double?

    /// A section; see the properties.
    public init(
        items: [Item], findings: [String], profiles: [(label: String, norms: [Double])], rangeTests: [RangeTestCurve],
        chosenRate: Double?, norms: [Double], clipThreshold: Double?
    ) {
        self.items = items
        self.findings = findings
        self.profiles = profiles
        self.rangeTests = rangeTests
        self.chosenRate = chosenRate
        self.norms = norms
        self.clipThreshold = clipThreshold
    }

    /// The section as HTML (no scripts, inline SVG).
    public func render() -> String {
        var html = "<h2>Diagnosis and prescription</h2>\n"
        if !findings.isEmpty {
            html += "<ul>" + findings.map { "<li>\(escapeHTML($0))</li>" }.joined() + "</ul>\n"
        }
        html += "<table class=\"summary\"><tr><th>topic</th><th>prescription</th><th>evidence</th></tr>"
        for item in items {
            let advice = item.changes ? "<b>\(escapeHTML(item.advice))</b>" : escapeHTML(item.advice)
            html += "<tr><td>\(escapeHTML(item.topic))</td><td>\(advice)</td><td>\(escapeHTML(item.evidence))</td></tr>"
        }
        html += "</table>\n"
        var profile = SVGChart(title: "Gradient-flow profile at initialization", xLabel: "time step t", yLabel: "‖∂L/∂hₜ‖", logarithmic: true)
        for (index, line) in profiles.enumerated() {
            profile.series.append(.init(
                label: line.label, color: HTMLReport.palette[index % HTMLReport.palette.count],
                points: line.norms.enumerated().map { (Double($0.offset), $0.element) }))
        }
        html += profile.render()
        html += "<p class=\"note\">‖∂L/∂hₜ‖ averaged over a few batches before any training, log scale. A line that falls toward t = 0 is a vanishing gradient (the horizon is where it drops below 10⁻³ of its peak); one that rises is exploding.</p>\n"
        var range = SVGChart(title: "Learning-rate range test", xLabel: "log₁₀ learning rate", yLabel: "smoothed loss", logarithmic: true)
        for (index, test) in rangeTests.enumerated() {
            let color = HTMLReport.palette[(index + 2) % HTMLReport.palette.count]
            range.series.append(.init(
                label: test.label, color: color,
                points: zip(test.rates, test.losses).map { (Foundation.log10($0), $1) }))
        }
        let lossValues = rangeTests.flatMap(\.losses).filter { $0.isFinite && $0 > 0 }
        if let rate = chosenRate, let low = lossValues.min(), let high = lossValues.max() {
            range.series.append(.init(label: "chosen rate", color: "#444", points: [(Foundation.log10(rate), low), (Foundation.log10(rate), high)], dashed: true))
        }
        html += range.render()
        html += "<p class=\"note\">Each optimizer trained a copy of the model at exponentially increasing rates (exponential moving average of the loss, log scale); a line ends where the loss diverged. The dashed line is the rate prescribed.</p>\n"
        html += histogram()
        html += "<p class=\"note\">Global gradient norms of a probe at the prescribed rate without clipping (logarithmic bins); the dashed line is the clip threshold prescribed (the median norm).</p>\n"
        return html
    }

    /// The norm histogram as SVG: 24 logarithmic bins, the threshold as a vertical dashed line.
    func histogram() -> String {
        let width = 900.0, height = 260.0, left = 78.0, right = 40.0, top = 34.0, bottom = 48.0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"gradient-norm histogram\">"
        svg += "<text x=\"\(Int(left))\" y=\"20\" class=\"title\">Gradient-norm histogram</text>"
        let logs = norms.filter { $0.isFinite && $0 > 0 }.map { Foundation.log10($0) }
        guard var low = logs.min(), var high = logs.max() else {
            return svg + "<text x=\"\(Int(width / 2))\" y=\"\(Int(height / 2))\" text-anchor=\"middle\" class=\"empty\">no gradient-norm probe</text></svg>"
        }
        if let threshold = clipThreshold, threshold > 0 { low = min(low, Foundation.log10(threshold)); high = max(high, Foundation.log10(threshold)) }
        if high - low < 1e-9 { low -= 0.5; high += 0.5 }
        let bins = 24
        var counts = [Int](repeating: 0, count: bins)
        for value in logs { counts[min(bins - 1, Int((value - low) / (high - low) * Double(bins)))] += 1 }
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let tallest = Double(max(1, counts.max() ?? 1))
        func px(_ x: Double) -> Double { left + (x - low) / (high - low) * plotWidth }
        svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotWidth))\" height=\"\(fmt(plotHeight))\" class=\"frame\"/>"
        for (index, count) in counts.enumerated() where count > 0 {
            let x = left + Double(index) / Double(bins) * plotWidth, barHeight = Double(count) / tallest * plotHeight
            svg += "<rect x=\"\(fmt(x + 1))\" y=\"\(fmt(top + plotHeight - barHeight))\" width=\"\(fmt(plotWidth / Double(bins) - 2))\" height=\"\(fmt(barHeight))\" fill=\"#1f77b4\"><title>\(count)</title></rect>"
        }
        for tick in Int(Foundation.floor(low))...Int(Foundation.ceil(high)) where Double(tick) >= low && Double(tick) <= high {
            svg += "<text x=\"\(fmt(px(Double(tick))))\" y=\"\(fmt(top + plotHeight + 18))\" text-anchor=\"middle\" class=\"tick\">\(powerLabel(Foundation.pow(10, Double(tick))))</text>"
        }
        svg += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(top + 10))\" text-anchor=\"end\" class=\"tick\">\(Int(tallest))</text>"
        svg += "<text x=\"\(fmt(left + plotWidth / 2))\" y=\"\(fmt(height - 8))\" text-anchor=\"middle\" class=\"label\">‖g‖ (\(logs.count) steps)</text>"
        if let threshold = clipThreshold, threshold > 0 {
            let x = px(Foundation.log10(threshold))
            svg += "<line x1=\"\(fmt(x))\" x2=\"\(fmt(x))\" y1=\"\(fmt(top))\" y2=\"\(fmt(top + plotHeight))\" stroke=\"#d62728\" stroke-dasharray=\"6 4\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(fmt(x + 4))\" y=\"\(fmt(top + 14))\" class=\"legend\">clip at \(shortNumber(threshold))</text>"
        }
        return svg + "</svg>"
    }
}
