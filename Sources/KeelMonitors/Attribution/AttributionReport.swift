/// A ranked report of the parameters most responsible for an explosion: Keel's answer to "which
/// layer exploded?" (pytorch#46849, mxnet#8816, OLMo#266).
///
/// ``entries`` are ordered: parameters with non-finite gradients first (the first one in backward
/// order at the very top), then by ``rankedBy`` descending (z-score once every parameter has a warm
/// history, otherwise ‖g‖), ties by ‖g‖.
public struct AttributionReport: Sendable, Codable, Hashable, CustomStringConvertible {
    /// The step the report is about.
    public var step: Int
    /// The global gradient norm of the step.
    public var globalGradientNorm: Double
    /// The first parameter in backward order whose gradient held NaN/±∞.
    public var firstNonFiniteKey: ParameterKey?
    /// The criterion the finite entries are sorted by.
    public var rankedBy: AttributionCriterion
    /// The top entries, most responsible first.
    public var entries: [ParameterAttribution]

    /// A report.
    public init(
        step: Int, globalGradientNorm: Double, firstNonFiniteKey: ParameterKey?, rankedBy: AttributionCriterion,
        entries: [ParameterAttribution]
    ) {
        self.step = step
        self.globalGradientNorm = globalGradientNorm
        self.firstNonFiniteKey = firstNonFiniteKey
        self.rankedBy = rankedBy
        self.entries = entries
    }

    /// The most responsible parameter.
    public var mostResponsible: ParameterKey? { entries.first?.key }

    /// The entries re-sorted by another criterion (missing values last), non-finite ones first.
    public func ranked(by criterion: AttributionCriterion) -> [ParameterAttribution] {
        entries.sorted { Self.precedes($0, $1, by: criterion, firstNonFinite: firstNonFiniteKey) }
    }

    /// Whether `a` ranks before `b`.
    static func precedes(
        _ a: ParameterAttribution, _ b: ParameterAttribution, by criterion: AttributionCriterion,
        firstNonFinite: ParameterKey?
    ) -> Bool {
        if a.key == firstNonFinite { return b.key != firstNonFinite }
        if b.key == firstNonFinite { return false }
        if (a.nonFiniteCount > 0) != (b.nonFiniteCount > 0) { return a.nonFiniteCount > 0 }
        func value(_ entry: ParameterAttribution) -> Double {
            let raw: Double? =
                switch criterion {
                case .zScore: entry.zScore
                case .gradientToWeightRatio: entry.gradientToWeightRatio
                case .gradientNorm: entry.gradientNorm
                }
            guard let raw, !raw.isNaN else { return -.infinity }
            return raw
        }
        let (va, vb) = (value(a), value(b))
        if va != vb { return va > vb }
        return a.gradientNorm > b.gradientNorm
    }

    public var description: String {
        var lines = ["attribution at step \(step) (‖g‖ = \(globalGradientNorm), ranked by \(rankedBy.rawValue)):"]
        if let firstNonFiniteKey { lines.append("  first non-finite gradient (backward order): \(firstNonFiniteKey)") }
        for (rank, entry) in entries.enumerated() {
            var line = "  \(rank + 1). \(entry.key): ‖g‖ = \(entry.gradientNorm)"
            if let share = entry.shareOfGlobalNorm { line += ", share \(share)" }
            if let ratio = entry.gradientToWeightRatio { line += ", ‖g‖/‖w‖ = \(ratio)" }
            if let z = entry.zScore { line += ", z = \(z)" }
            if entry.nonFiniteCount > 0 { line += ", \(entry.nonFiniteCount) non-finite" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
