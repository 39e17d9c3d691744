/// The state of ``ZScoreClipper``: the warm-up norms, then the moving mean and variance of the
/// clipped norm.
public struct ZScoreClipperState: Codable, Sendable, Hashable {
    /// The norms collected during warm-up (empty afterwards).
    public var warmupNorms: [Double] = []
    /// μ, the moving mean of the clipped norm (`nil` during warm-up).
    public var mean: Double?
    /// σ², the moving variance of the clipped norm (`nil` during warm-up).
    public var variance: Double?

    /// The state before the first step.
    public init() {}
}
