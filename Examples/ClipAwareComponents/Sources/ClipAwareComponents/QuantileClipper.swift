import KeelCore
import KeelOptimizers

/// Clips the global L2 norm to the q-quantile of the last `capacity` norms (the current one
/// included), or to `initialThreshold` until `minimumHistory` norms are seen: an adaptive clipper
/// in the spirit of AutoClip (Seetharaman et al., 2020) with a bounded window.
public struct QuantileClipper<Scalar: TensorScalar>: GradientClipper {
    /// The window of recent norms, oldest first.
    public struct State: Codable, Sendable, Equatable {
        /// The recent global norms.
        public var norms: [Double] = []
    }

    /// q in (0, 1].
    public var quantile: Double
    /// The window's length.
    public var capacity: Int
    /// Norms needed before the quantile is used.
    public var minimumHistory: Int
    /// The threshold before the window fills.
    public var initialThreshold: Double

    /// - Precondition: 0 < `quantile` ≤ 1, `capacity` ≥ `minimumHistory` ≥ 1, `initialThreshold` > 0.
    public init(quantile: Double = 0.9, capacity: Int = 64, minimumHistory: Int = 8, initialThreshold: Double = 10) {
        precondition(quantile > 0 && quantile <= 1, "QuantileClipper: quantile \(quantile) must be in (0, 1]")
        precondition(capacity >= minimumHistory && minimumHistory >= 1, "QuantileClipper: need capacity ≥ minimumHistory ≥ 1")
        precondition(initialThreshold > 0, "QuantileClipper: initialThreshold must be > 0")
        self.quantile = quantile
        self.capacity = capacity
        self.minimumHistory = minimumHistory
        self.initialThreshold = initialThreshold
    }

    public var guarantee: ClippingGuarantee { .adaptiveGlobalNorm(norm: .l2) }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws {
        let norm = updates.globalNorm(.l2)
        guard norm.isFinite else {
            context.reports.append(.clip(ClipReport(transform: "QuantileClipper", fired: false, normBefore: norm, normAfter: norm, detail: "non-finite norm, not recorded")))
            return
        }
        state.norms.append(norm)
        if state.norms.count > capacity { state.norms.removeFirst(state.norms.count - capacity) }
        let threshold = state.norms.count < minimumHistory ? initialThreshold : Self.quantile(quantile, of: state.norms)
        let fires = norm > threshold
        let coefficient = fires ? threshold / norm : 1
        if fires { updates.scale(by: Scalar(coefficient)) }
        context.reports.append(
            .clip(ClipReport(
                transform: "QuantileClipper", fired: fires, normBefore: norm, normAfter: fires ? threshold : norm,
                coefficient: coefficient, threshold: threshold)))
    }

    /// NumPy's linear-interpolation quantile.
    static func quantile(_ q: Double, of values: [Double]) -> Double {
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
