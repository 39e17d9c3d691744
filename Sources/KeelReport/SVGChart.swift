import Foundation

/// A line chart drawn as inline SVG: linear or logarithmic y axis, axis labels, a legend,
/// horizontal reference lines and point markers. Non-finite values are left out of the lines and
/// shown as markers on the top edge.
public struct SVGChart: Sendable {
    /// One line of the chart.
    public struct Series: Sendable {
        /// The name in the legend.
        public var label: String
        /// A CSS color, e.g. `#1f77b4`.
        public var color: String
        /// The points in x order; non-finite y values become markers on the top edge.
        public var points: [(x: Double, y: Double)]
        /// Whether the line is dashed (validation curves, say).
        public var dashed: Bool
        /// Draw a dot per point instead of a line.
        public var dotsOnly: Bool

        /// A solid line by default; `dashed` or `dotsOnly` change how it is drawn.
        public init(label: String, color: String, points: [(x: Double, y: Double)], dashed: Bool = false, dotsOnly: Bool = false) {
            self.label = label
            self.color = color
            self.points = points
            self.dashed = dashed
            self.dotsOnly = dotsOnly
        }
    }

    /// A horizontal line at `y` with a label at its right end.
    public struct ReferenceLine: Sendable {
        /// The text at the line's right end.
        public var label: String
        /// The height of the line, in data units.
        public var y: Double
        /// A CSS color.
        public var color: String

        /// A reference line at `y`, labeled `label`, in `color`.
        public init(label: String, y: Double, color: String) {
            self.label = label
            self.y = y
            self.color = color
        }
    }

    /// The heading drawn above the plot.
    public var title: String
    /// The label of the x axis.
    public var xLabel: String
    /// The label of the y axis.
    public var yLabel: String
    /// Whether the y axis is log₁₀ (non-positive values are then left out like non-finite ones).
    public var logarithmic: Bool
    /// The lines, drawn in order and listed in the legend.
    public var series: [Series] = []
    /// Horizontal reference lines.
    public var references: [ReferenceLine] = []
    /// The width of the SVG in CSS pixels.
    public var width = 900.0
    /// The height of the SVG in CSS pixels.
    public var height = 300.0
    /// Values above this are drawn on the top edge with a ▲ (so that one diverged run does not
    /// flatten the others); nil: no cap.
    public var cap: Double?

    /// An empty chart; add ``series`` and ``references`` before rendering.
    public init(title: String, xLabel: String, yLabel: String, logarithmic: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logarithmic = logarithmic
    }

    private func usable(_ y: Double) -> Bool { y.isFinite && (!logarithmic || y > 0) }

    /// `series` with values above ``cap`` replaced by the cap, and the points that were capped.
    private func cappedSeries() -> (series: [Series], capped: [(x: Double, color: String)]) {
        guard let cap else { return (series, []) }
        var capped: [(x: Double, color: String)] = []
        let lines = series.map { line -> Series in
            var copy = line
            copy.points = line.points.map { point in
                guard point.y.isFinite, point.y > cap else { return point }
                capped.append((point.x, line.color))
                return (point.x, cap)
            }
            return copy
        }
        return (lines, capped)
    }

    /// The chart as an `<svg>` element.
    public func render() -> String {
        let (series, capped) = cappedSeries()
        let left = 78.0, right = 200.0, top = 34.0, bottom = 48.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let xs = series.flatMap { $0.points.map(\.x) }.filter(\.isFinite)
        var ys = series.flatMap { $0.points.map(\.y) }.filter(usable)
        ys += references.map(\.y).filter(usable)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" role=\"img\" aria-label=\"\(escapeHTML(title))\">"
        svg += "<text x=\"\(fmt(left))\" y=\"20\" class=\"title\">\(escapeHTML(title))</text>"
        guard let xMinRaw = xs.min(), let xMaxRaw = xs.max(), let yMinRaw = ys.min(), let yMaxRaw = ys.max() else {
            svg += "<text x=\"\(fmt(width / 2))\" y=\"\(fmt(height / 2))\" text-anchor=\"middle\" class=\"empty\">no data in this log</text></svg>"
            return svg
        }
        let xMin = xMinRaw, xMax = xMaxRaw > xMinRaw ? xMaxRaw : xMinRaw + 1
        var yMin: Double, yMax: Double
        let yTicks: [Double]
        if logarithmic {
            yMin = Foundation.pow(10, Foundation.floor(Foundation.log10(yMinRaw)))
            yMax = Foundation.pow(10, Foundation.ceil(Foundation.log10(yMaxRaw)))
            if yMax <= yMin { yMax = yMin * 10 }
            let low = Int(Foundation.log10(yMin).rounded()), high = Int(Foundation.log10(yMax).rounded())
            let stride = max(1, (high - low + 5) / 6)
            yTicks = Swift.stride(from: low, through: high, by: stride).map { Foundation.pow(10, Double($0)) }
        } else {
            yMin = min(yMinRaw, 0 < yMinRaw && yMinRaw < (yMaxRaw - yMinRaw) ? 0 : yMinRaw)
            yMax = yMaxRaw > yMin ? yMaxRaw : yMin + 1
            let ticks = niceTicks(yMin, yMax)
            yMin = min(yMin, ticks.first ?? yMin)
            yMax = max(yMax, ticks.last ?? yMax)
            yTicks = ticks
        }
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotWidth }
        func py(_ y: Double) -> Double {
            let t = logarithmic ? (Foundation.log10(y) - Foundation.log10(yMin)) / (Foundation.log10(yMax) - Foundation.log10(yMin)) : (y - yMin) / (yMax - yMin)
            return top + (1 - t) * plotHeight
        }
        svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotWidth))\" height=\"\(fmt(plotHeight))\" class=\"frame\"/>"
        for tick in yTicks where tick >= yMin && tick <= yMax {
            let y = py(tick)
            svg += "<line x1=\"\(fmt(left))\" x2=\"\(fmt(left + plotWidth))\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\" class=\"grid\"/>"
            svg += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\" class=\"tick\">\(logarithmic ? powerLabel(tick) : shortNumber(tick))</text>"
        }
        for tick in niceTicks(xMin, xMax) where tick >= xMin && tick <= xMax {
            let x = px(tick)
            svg += "<line x1=\"\(fmt(x))\" x2=\"\(fmt(x))\" y1=\"\(fmt(top + plotHeight))\" y2=\"\(fmt(top + plotHeight + 5))\" class=\"axis\"/>"
            svg += "<text x=\"\(fmt(x))\" y=\"\(fmt(top + plotHeight + 18))\" text-anchor=\"middle\" class=\"tick\">\(shortNumber(tick))</text>"
        }
        svg += "<text x=\"\(fmt(left + plotWidth / 2))\" y=\"\(fmt(height - 8))\" text-anchor=\"middle\" class=\"label\">\(escapeHTML(xLabel))</text>"
        svg += "<text transform=\"translate(16 \(fmt(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"label\">\(escapeHTML(yLabel))</text>"
        for reference in references where usable(reference.y) && reference.y >= yMin && reference.y <= yMax {
            let y = py(reference.y)
            svg += "<line x1=\"\(fmt(left))\" x2=\"\(fmt(left + plotWidth))\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\" stroke=\"\(reference.color)\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>"
        }
        for line in series {
            if line.dotsOnly {
                for point in line.points where point.x.isFinite && usable(point.y) {
                    svg += "<circle cx=\"\(fmt(px(point.x)))\" cy=\"\(fmt(py(point.y)))\" r=\"2.6\" fill=\"\(line.color)\"/>"
                }
            } else {
                var segments: [[String]] = [[]]
                for point in line.points {
                    if point.x.isFinite && usable(point.y) {
                        segments[segments.count - 1].append("\(fmt(px(point.x))),\(fmt(py(point.y)))")
                    } else if !segments[segments.count - 1].isEmpty {
                        segments.append([])
                    }
                }
                for segment in segments where !segment.isEmpty {
                    let dash = line.dashed ? " stroke-dasharray=\"5 3\"" : ""
                    if segment.count == 1 {
                        let parts = segment[0].split(separator: ",")
                        svg += "<circle cx=\"\(parts[0])\" cy=\"\(parts[1])\" r=\"2.5\" fill=\"\(line.color)\"/>"
                    } else {
                        svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.6\"\(dash) points=\"\(segment.joined(separator: " "))\"/>"
                    }
                }
            }
            let bad = line.points.filter { $0.x.isFinite && !$0.y.isFinite }
            for point in bad.prefix(200) {
                svg += "<text x=\"\(fmt(px(point.x)))\" y=\"\(fmt(top + 9))\" text-anchor=\"middle\" class=\"nonfinite\" fill=\"\(line.color)\">×</text>"
            }
        }
        var lastMarker = -Double.infinity
        for point in capped where px(point.x) - lastMarker >= 6 {
            lastMarker = px(point.x)
            svg += "<text x=\"\(fmt(px(point.x)))\" y=\"\(fmt(top + 9))\" text-anchor=\"middle\" class=\"nonfinite\" fill=\"\(point.color)\">▲</text>"
        }
        // The legend sits right of the plot so that it never covers data.
        var legendY = top + 6
        for line in series {
            let x = left + plotWidth + 14
            if line.dotsOnly {
                svg += "<circle cx=\"\(fmt(x + 10))\" cy=\"\(fmt(legendY))\" r=\"3\" fill=\"\(line.color)\"/>"
            } else {
                svg += "<line x1=\"\(fmt(x))\" x2=\"\(fmt(x + 20))\" y1=\"\(fmt(legendY))\" y2=\"\(fmt(legendY))\" stroke=\"\(line.color)\" stroke-width=\"2.5\"\(line.dashed ? " stroke-dasharray=\"5 3\"" : "")/>"
            }
            svg += "<text x=\"\(fmt(x + 26))\" y=\"\(fmt(legendY + 4))\" class=\"legend\">\(escapeHTML(truncate(line.label, 26)))</text>"
            legendY += 18
        }
        for reference in references where usable(reference.y) {
            let x = left + plotWidth + 14
            svg += "<line x1=\"\(fmt(x))\" x2=\"\(fmt(x + 20))\" y1=\"\(fmt(legendY))\" y2=\"\(fmt(legendY))\" stroke=\"\(reference.color)\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
            svg += "<text x=\"\(fmt(x + 26))\" y=\"\(fmt(legendY + 4))\" class=\"legend\">\(escapeHTML(truncate(reference.label, 26)))</text>"
            legendY += 18
        }
        if series.contains(where: { $0.points.contains { $0.x.isFinite && !$0.y.isFinite } }) {
            svg += "<text x=\"\(fmt(left + plotWidth + 14))\" y=\"\(fmt(legendY + 4))\" class=\"legend\">× = NaN/∞ value</text>"
            legendY += 18
        }
        if let cap, !capped.isEmpty {
            svg += "<text x=\"\(fmt(left + plotWidth + 14))\" y=\"\(fmt(legendY + 4))\" class=\"legend\">▲ = above \(shortNumber(cap))</text>"
        }
        svg += "</svg>"
        return svg
    }
}

/// Round tick values covering [low, high], about five of them.
func niceTicks(_ low: Double, _ high: Double) -> [Double] {
    guard high > low, low.isFinite, high.isFinite else { return [low] }
    let raw = (high - low) / 5
    let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
    let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
    var ticks: [Double] = []
    var value = Foundation.ceil(low / step) * step
    while value <= high + step * 1e-9 {
        ticks.append(abs(value) < step * 1e-9 ? 0 : value)
        value += step
    }
    return ticks
}

func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

/// A compact number: 1200 → "1200", 0.25 → "0.25", 1.5e-5 → "1.5e-05".
public func shortNumber(_ value: Double) -> String {
    if !value.isFinite { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
    if value == 0 { return "0" }
    if abs(value) >= 1e5 || abs(value) < 1e-3 { return String(format: "%.2g", value) }
    return String(format: "%.4g", value)
}

func powerLabel(_ value: Double) -> String {
    let exponent = Int(Foundation.log10(value).rounded())
    switch exponent {
    case 0: return "1"
    case 1: return "10"
    default: return "1e\(exponent)"
    }
}

func truncate(_ text: String, _ length: Int) -> String {
    text.count <= length ? text : String(text.prefix(length - 1)) + "…"
}

/// Escapes `&`, `<`, `>` and `"` for HTML text and attributes.
public func escapeHTML(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(character)
        }
    }
    return out
}
