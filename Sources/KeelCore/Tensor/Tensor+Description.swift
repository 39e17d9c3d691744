/// Prints like NumPy's `str(array)`: nested brackets, one row per line, columns aligned on the
/// decimal point, integral values as `1.`, and tensors of more than 1,000 elements summarized with
/// `...` after the first and before the last three entries of each axis.
extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        let summarize = scalarCount > 1000
        let formatted = TensorFormatter(values: summarizedValues(summarize: summarize))
        if rank == 0 { return formatted.format(storage.base[0]) }
        var output = ""
        appendDescription(of: [], to: &output, formatter: formatted, summarize: summarize)
        return output
    }

    public var debugDescription: String { "Tensor<\(Scalar.self)>(shape: \(shape), \(description))" }

    private func summarizedValues(summarize: Bool) -> [Scalar] {
        guard summarize else { return scalars }
        // Only the printed elements decide the column width.
        var values: [Scalar] = []
        func visit(_ prefix: [Int]) {
            let axis = prefix.count
            if axis == rank { values.append(storage.base[offset(of: prefix)]); return }
            for index in shownIndices(extent: shape[axis], summarize: true) { visit(prefix + [index]) }
        }
        visit([])
        return values
    }

    private func shownIndices(extent: Int, summarize: Bool) -> [Int] {
        summarize && extent > 6 ? Array(0..<3) + Array((extent - 3)..<extent) : Array(0..<extent)
    }

    private func appendDescription(of prefix: [Int], to output: inout String, formatter: TensorFormatter, summarize: Bool) {
        let axis = prefix.count
        let extent = shape[axis]
        output += "["
        let shown = shownIndices(extent: extent, summarize: summarize)
        for (position, index) in shown.enumerated() {
            if position > 0 {
                if axis == rank - 1 {
                    output += " "
                } else {
                    output += String(repeating: "\n", count: rank - 1 - axis) + String(repeating: " ", count: axis + 1)
                }
            }
            if summarize && extent > 6 && position == 3 {
                output += "..."
                output += axis == rank - 1 ? " " : String(repeating: "\n", count: rank - 1 - axis) + String(repeating: " ", count: axis + 1)
            }
            if axis == rank - 1 {
                output += formatter.format(storage.base[offset(of: prefix + [index])])
            } else {
                appendDescription(of: prefix + [index], to: &output, formatter: formatter, summarize: summarize)
            }
        }
        output += "]"
    }
}

/// Formats scalars as NumPy's `str()` does: positional notation padded on the right so decimal
/// points align, or, when the largest magnitude is ≥ 1e8, the smallest non-zero one < 1e-4 or their
/// ratio > 1000, scientific notation with a common number of mantissa digits (`1.500e+03`).
/// Each value starts from its shortest round-trip representation in its own type.
private struct TensorFormatter {
    private let scientific: Bool
    private let integerWidth: Int
    private let fractionWidth: Int

    init<Scalar: TensorScalar>(values: [Scalar]) {
        let magnitudes = values.filter { $0.isFinite && $0 != 0 }.map { Swift.abs(Double($0)) }
        if let largest = magnitudes.max(), let smallest = magnitudes.min() {
            scientific = largest >= 1e8 || smallest < 1e-4 || largest / smallest > 1000
        } else {
            scientific = false
        }
        var fractionDigits = 0
        if scientific {
            for value in values where value.isFinite {
                fractionDigits = Swift.max(fractionDigits, DecimalDigits(value).digits.count - 1)
            }
        }
        var integerWidth = 0, fractionWidth = 0, nonFiniteWidth = 0
        for value in values where !value.isFinite {
            nonFiniteWidth = Swift.max(nonFiniteWidth, Self.plain(value, scientific: false, fractionDigits: 0).count)
        }
        for value in values where value.isFinite {
            let (integer, fraction) = TensorFormatter.parts(Self.plain(value, scientific: scientific, fractionDigits: fractionDigits))
            integerWidth = Swift.max(integerWidth, integer.count)
            fractionWidth = Swift.max(fractionWidth, fraction.count)
        }
        self.integerWidth = integerWidth
        self.fractionWidth = fractionWidth
        self.nonFiniteWidth = nonFiniteWidth
        self.fractionDigits = fractionDigits
    }

    private let fractionDigits: Int
    private let nonFiniteWidth: Int

    func format<Scalar: TensorScalar>(_ value: Scalar) -> String {
        let text = Self.plain(value, scientific: scientific, fractionDigits: fractionDigits)
        let width = Swift.max(integerWidth + fractionWidth, nonFiniteWidth)
        guard value.isFinite else { return String(repeating: " ", count: width - text.count) + text }
        let (integer, fraction) = TensorFormatter.parts(text)
        let aligned = String(repeating: " ", count: integerWidth - integer.count) + integer + fraction
            + String(repeating: " ", count: fractionWidth - fraction.count)
        return String(repeating: " ", count: width - aligned.count) + aligned
    }

    private static func plain<Scalar: TensorScalar>(_ value: Scalar, scientific: Bool, fractionDigits: Int) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let decimal = DecimalDigits(value)
        if scientific {
            var mantissa = Array(decimal.digits)
            while mantissa.count < fractionDigits + 1 { mantissa.append("0") }
            let exponent = decimal.digits == "0" ? 0 : decimal.exponent
            let exponentText = Swift.abs(exponent) < 10 ? "0\(Swift.abs(exponent))" : "\(Swift.abs(exponent))"
            return (decimal.isNegative ? "-" : "") + String(mantissa[0]) + "." + String(mantissa.dropFirst())
                + "e" + (exponent < 0 ? "-" : "+") + exponentText
        }
        var text = "\(value)"
        if text.hasSuffix(".0") { text.removeLast() }
        return text
    }

    /// Splits "12.5" into ("12", ".5"); text without a point is all integer part.
    private static func parts(_ text: String) -> (String, String) {
        guard let point = text.firstIndex(of: ".") else { return (text, "") }
        return (String(text[..<point]), String(text[point...]))
    }
}

/// The shortest round-trip decimal digits of a value: value = ±d₀.d₁d₂… × 10^exponent.
private struct DecimalDigits {
    var isNegative = false
    var digits = "0"
    var exponent = 0

    init<Scalar: TensorScalar>(_ value: Scalar) {
        var text = "\(value)"
        if text.hasPrefix("-") {
            isNegative = true
            text.removeFirst()
        }
        var exponentPart = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponentPart = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let point = text.firstIndex(of: ".")
        let integerPart = point.map { String(text[..<$0]) } ?? text
        let fractionPart = point.map { String(text[text.index(after: $0)...]) } ?? ""
        var all = Array(integerPart + fractionPart)
        var pointPosition = integerPart.count
        while all.count > 1 && all.first == "0" {
            all.removeFirst()
            pointPosition -= 1
        }
        while all.count > 1 && all.last == "0" { all.removeLast() }
        if all == ["0"] { return }
        digits = String(all)
        exponent = pointPosition - 1 + exponentPart
    }
}
