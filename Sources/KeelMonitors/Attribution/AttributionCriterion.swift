/// What an ``AttributionReport`` ranks parameters by (after non-finite ones, which always come first).
public enum AttributionCriterion: String, Sendable, Codable, Hashable {
    /// z-score of ‖gᵢ‖ against the parameter's own history: "which parameter is unusual".
    case zScore
    /// ‖gᵢ‖/‖wᵢ‖: "which update is large relative to its weight".
    case gradientToWeightRatio
    /// ‖gᵢ‖: "which gradient is largest".
    case gradientNorm
}
