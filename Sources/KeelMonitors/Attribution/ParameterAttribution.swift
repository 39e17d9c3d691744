/// One parameter's line in an ``AttributionReport``.
public struct ParameterAttribution: Sendable, Codable, Hashable {
    /// The parameter.
    public var key: ParameterKey
    /// ‖gᵢ‖₂ this step.
    public var gradientNorm: Double
    /// ‖gᵢ‖²/‖g‖²: the parameter's share of the squared global norm (nil when not finite).
    public var shareOfGlobalNorm: Double?
    /// ‖gᵢ‖/‖wᵢ‖ (nil when parameter norms were not observed).
    public var gradientToWeightRatio: Double?
    /// (‖gᵢ‖ − μᵢ)/σᵢ against this parameter's own EMA history (nil before warm-up).
    public var zScore: Double?
    /// NaN/±∞ values in the gradient.
    public var nonFiniteCount: Int

    /// A line of a report.
    public init(
        key: ParameterKey, gradientNorm: Double, shareOfGlobalNorm: Double?, gradientToWeightRatio: Double?,
        zScore: Double?, nonFiniteCount: Int
    ) {
        self.key = key
        self.gradientNorm = gradientNorm
        self.shareOfGlobalNorm = shareOfGlobalNorm
        self.gradientToWeightRatio = gradientToWeightRatio
        self.zScore = zScore
        self.nonFiniteCount = nonFiniteCount
    }
}
