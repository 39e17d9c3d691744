import Foundation

/// The gradient-flow profile ‖∂L/∂hₜ‖₂ of one recurrent layer at initialization, and what it says
/// about memory: the effective horizon and the per-step growth or decay of the back-flowing
/// gradient.
///
/// The profile is the one the trainer records (`StatefulSequenceModel`'s `profiles` argument of
/// backward), averaged over a few batches. Let p* be its largest value, at step t*.
///
/// - **Horizon**: the smallest lag k (steps back from t*) at which p(t* − k) < 10⁻³·p*; `nil` when
///   the gradient never falls that low within the sequence (the horizon is at least t*).
/// - **Rate per step** r: the least-squares slope of ln p(T − 1 − k) against the lag k from the
///   last step (where a last-step loss enters), over the lags up to the horizon (the whole
///   sequence without one), as a factor: p(T − 1 − k) ≈ p(T − 1)·rᵏ. r < 1 is vanishing, r > 1
///   exploding.
public struct GradientFlowProfile: Sendable, Codable, Hashable {
    /// The fraction of the peak below which the gradient counts as gone: 10⁻³.
    public static let horizonFraction = 1e-3

    /// The layer whose profile this is (its first recurrent weight's key).
    public var layer: String
    /// ‖∂L/∂hₜ‖₂ for t = 0 ..< T, averaged over the batches measured.
    public var norms: [Double]
    /// t*, the step of the largest norm.
    public var peakStep: Int
    /// The effective memory horizon in steps; `nil` when the gradient stays above 10⁻³ of its peak
    /// all the way back to t = 0.
    public var horizon: Int?
    /// r, the per-step factor of the back-flowing gradient (1 when it cannot be fitted).
    public var ratePerStep: Double

    /// The profile of `layer` from its norms; computes the peak, horizon and rate.
    public init(layer: String, norms: [Double]) {
        self.layer = layer
        self.norms = norms
        let peakStep: Int
        let finite = norms.enumerated().filter { $0.element.isFinite }
        let peak = finite.max { $0.element < $1.element }
        peakStep = peak?.offset ?? max(0, norms.count - 1)
        let peakValue = peak?.element ?? 0
        var horizon: Int? = nil
        if peakValue > 0 {
            for lag in 1...max(1, peakStep) where peakStep - lag >= 0 {
                let value = norms[peakStep - lag]
                if !(value >= Self.horizonFraction * peakValue) { horizon = lag; break }
            }
        }
        self.horizon = horizon
        self.peakStep = peakStep
        // ln p against the lag from the last step, over the lags with a positive finite norm up to
        // the horizon.
        let last = norms.count - 1
        let lastLag = horizon.map { min(last, $0 + last - peakStep) } ?? last
        var points: [(x: Double, y: Double)] = []
        if lastLag >= 1 {
            for lag in 0...lastLag {
                let value = norms[last - lag]
                if value > 0, value.isFinite { points.append((Double(lag), Foundation.log(value))) }
            }
        }
        var rate = 1.0
        if points.count >= 2 {
            let meanX = points.map(\.x).reduce(0, +) / Double(points.count)
            let meanY = points.map(\.y).reduce(0, +) / Double(points.count)
            let covariance = points.map { ($0.x - meanX) * ($0.y - meanY) }.reduce(0, +)
            let variance = points.map { ($0.x - meanX) * ($0.x - meanX) }.reduce(0, +)
            rate = variance > 0 ? Foundation.exp(covariance / variance) : 1
        }
        ratePerStep = rate
    }

    /// The horizon when it is inside the sequence, else the steps the profile covers (T − 1, a
    /// lower bound).
    public var horizonOrLowerBound: Int { horizon ?? max(0, norms.count - 1) }

    /// Whether the profile vanishes before `lag` steps: the horizon is shorter than `lag`.
    public func vanishes(before lag: Int) -> Bool { horizon.map { $0 < lag } ?? false }

    /// Whether the back-flowing gradient grows: r > 1.02 per step and the earliest step's norm is
    /// more than 10× the last step's.
    public var explodes: Bool {
        guard let first = norms.first, let last = norms.last, last > 0 else { return norms.contains { !$0.isFinite } }
        return ratePerStep > 1.02 && first > 10 * last || !first.isFinite
    }
}
