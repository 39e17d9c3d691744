import Foundation

/// The gradient-flow heatmap: one row per logged step, one column per time step, the color the
/// log₁₀ of ‖∂L/∂hₜ‖ (dark: vanishing, bright: large), with a color bar.
public struct SVGHeatmap: Sendable {
    /// The heading drawn above the plot.
    public var title: String
    /// Row labels (training steps) and their values (one per time step).
    public var rows: [(step: Int, values: [Double])]
    /// The width of the SVG in CSS pixels; the height follows from the number of rows.
    public var width = 900.0

    /// A heatmap titled `title` of `rows`, each a training step and its profile over time.
    public init(title: String, rows: [(step: Int, values: [Double])]) {
        self.title = title
        self.rows = rows
    }

    /// The heatmap as an inline `<svg>` element; a placeholder message when no row has a positive
    /// finite value.
    public func render() -> String {
        let left = 78.0, right = 200.0, top = 34.0, bottom = 48.0
        let columns = rows.map(\.values.count).max() ?? 0
        let plotWidth = width - left - right
        let rowHeight = max(3.0, min(24.0, 320.0 / Double(max(rows.count, 1))))
        let plotHeight = rowHeight * Double(rows.count)
        let barHeight = 110.0
        let height = top + max(plotHeight, barHeight + 44) + bottom
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(fmt(width)) \(fmt(max(height, 120)))\" width=\"\(fmt(width))\" height=\"\(fmt(max(height, 120)))\" role=\"img\" aria-label=\"\(escapeHTML(title))\">"
        svg += "<text x=\"\(fmt(left))\" y=\"20\" class=\"title\">\(escapeHTML(title))</text>"
        let logs = rows.flatMap(\.values).filter { $0.isFinite && $0 > 0 }.map { Foundation.log10($0) }.sorted()
        guard columns > 0, !logs.isEmpty else {
            svg += "<text x=\"\(fmt(width / 2))\" y=\"70\" text-anchor=\"middle\" class=\"empty\">no gradient-flow events in this log</text></svg>"
            return svg
        }
        // The 2nd to 98th percentile: an exploding run spans 60 decades, which would leave every
        // ordinary cell black.
        let low = logs[Int(Double(logs.count - 1) * 0.02)], high = logs[Int((Double(logs.count - 1) * 0.98).rounded(.up))]
        let clippedBelow = logs.first! < low, clippedAbove = logs.last! > high
        let nonFinite = rows.reduce(0) { $0 + $1.values.filter { !$0.isFinite }.count }
        let span = max(high - low, 1e-9)
        let cellWidth = plotWidth / Double(columns)
        for (rowIndex, row) in rows.enumerated() {
            let y = top + Double(rowIndex) * rowHeight
            for (column, value) in row.values.enumerated() {
                let color: String
                if value.isFinite && value > 0 {
                    color = viridis((Foundation.log10(value) - low) / span)
                } else {
                    color = value.isFinite ? "#222" : "#d62728"
                }
                svg += "<rect x=\"\(fmt(left + Double(column) * cellWidth))\" y=\"\(fmt(y))\" width=\"\(fmt(cellWidth + 0.3))\" height=\"\(fmt(rowHeight + 0.3))\" fill=\"\(color)\"/>"
            }
        }
        svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotWidth))\" height=\"\(fmt(plotHeight))\" class=\"frame\"/>"
        for tick in niceTicks(0, Double(columns - 1)) where tick <= Double(columns - 1) {
            let x = left + (tick + 0.5) * cellWidth
            svg += "<text x=\"\(fmt(x))\" y=\"\(fmt(top + plotHeight + 16))\" text-anchor=\"middle\" class=\"tick\">\(Int(tick))</text>"
        }
        let labelEvery = max(1, Int((16 / rowHeight).rounded(.up)))
        for (rowIndex, row) in rows.enumerated() where rowIndex % labelEvery == 0 {
            svg += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(top + (Double(rowIndex) + 0.5) * rowHeight + 4))\" text-anchor=\"end\" class=\"tick\">\(row.step)</text>"
        }
        svg += "<text x=\"\(fmt(left + plotWidth / 2))\" y=\"\(fmt(top + plotHeight + 38))\" text-anchor=\"middle\" class=\"label\">time step t (0 = first input)</text>"
        svg += "<text transform=\"translate(16 \(fmt(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"label\">training step</text>"
        // Color bar.
        let barX = left + plotWidth + 24
        for index in 0..<20 {
            let fraction = 1 - Double(index) / 19
            svg += "<rect x=\"\(fmt(barX))\" y=\"\(fmt(top + Double(index) * barHeight / 20))\" width=\"14\" height=\"\(fmt(barHeight / 20 + 0.3))\" fill=\"\(viridis(fraction))\"/>"
        }
        svg += "<text x=\"\(fmt(barX + 20))\" y=\"\(fmt(top + 9))\" class=\"legend\">\(clippedAbove ? "≥ " : "")\(shortNumber(Foundation.pow(10, high)))</text>"
        svg += "<text x=\"\(fmt(barX + 20))\" y=\"\(fmt(top + barHeight))\" class=\"legend\">\(clippedBelow ? "≤ " : "")\(shortNumber(Foundation.pow(10, low)))</text>"
        svg += "<text x=\"\(fmt(barX - 2))\" y=\"\(fmt(top + barHeight + 20))\" class=\"legend\">‖∂L/∂hₜ‖ (log scale)</text>"
        svg += "<rect x=\"\(fmt(barX))\" y=\"\(fmt(top + barHeight + 30))\" width=\"14\" height=\"10\" fill=\"#d62728\"/>"
        svg += "<text x=\"\(fmt(barX + 20))\" y=\"\(fmt(top + barHeight + 39))\" class=\"legend\">non-finite (\(nonFinite) cells)</text>"
        svg += "</svg>"
        return svg
    }
}

/// A viridis-like color for `fraction` in [0, 1].
func viridis(_ fraction: Double) -> String {
    let stops: [(Double, Double, Double)] = [
        (68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37),
    ]
    let t = min(max(fraction.isFinite ? fraction : 0, 0), 1) * Double(stops.count - 1)
    let index = min(Int(t), stops.count - 2), local = t - Double(index)
    let (a, b) = (stops[index], stops[index + 1])
    func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * local).rounded()) }
    return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}
