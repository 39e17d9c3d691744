/// The one-cycle policy (PyTorch's `OneCycleLR`, same defaults): warm up from
/// `maximumValue / divisionFactor` to `maximumValue` over the first `warmupFraction` of
/// `totalSteps`, then anneal to `initial / finalDivisionFactor`.
///
/// Phases (with p = warmupFraction, T = totalSteps, η₀ = η_max / div, η_end = η₀ / finalDiv):
/// - two-phase: η₀ → η_max until step p·T − 1, then η_max → η_end until step T − 1;
/// - three-phase: η₀ → η_max until p·T − 1, η_max → η₀ until 2p·T − 2, η₀ → η_end until T − 1.
///
/// Within a phase from step s to e the fraction is (t − s)/(e − s), annealed by cosine
/// (end + (start − end)·(1 + cos(π·f))/2) or linearly. Steps past `totalSteps` hold the value at
/// `totalSteps` (PyTorch raises instead).
///
/// ## References
/// Smith & Topin, "Super-Convergence: Very Fast Training of Neural Networks Using Large Learning
/// Rates", 2017 (arXiv 1708.07120).
public struct OneCycle: LearningRateSchedule, Hashable {
    /// How a phase moves between its end points.
    public enum Annealing: String, Codable, Sendable, Hashable {
        /// end + (start − end)·(1 + cos(π·f))/2: slow near the end points (PyTorch's `"cos"`).
        case cosine
        /// start + (end − start)·f (PyTorch's `"linear"`).
        case linear
    }

    /// η_max, the peak value, reached at the end of the warm-up.
    public let maximumValue: Double
    /// T, the length of the whole cycle in steps (> 0).
    public let totalSteps: Int
    /// p ∈ (0, 1), the fraction of ``totalSteps`` spent rising to ``maximumValue``.
    public let warmupFraction: Double
    /// How each phase moves between its end points.
    public let annealing: Annealing
    /// η_max / η₀: the starting value is ``maximumValue`` divided by this.
    public let divisionFactor: Double
    /// η₀ / η_end: the final value is ``initialValue`` divided by this.
    public let finalDivisionFactor: Double
    /// Whether to descend back to η₀ symmetrically before the final anneal (fast.ai's variant).
    public let threePhase: Bool

    /// A one-cycle schedule peaking at `maximumValue`.
    ///
    /// - Parameters:
    ///   - maximumValue: η_max, the peak value.
    ///   - totalSteps: T, the length of the cycle (> 0).
    ///   - warmupFraction: p ∈ (0, 1), the fraction of T spent warming up (default 0.3).
    ///   - annealing: cosine (default) or linear interpolation within a phase.
    ///   - divisionFactor: η_max / η₀ (default 25).
    ///   - finalDivisionFactor: η₀ / η_end (default 10⁴).
    ///   - threePhase: whether to return to η₀ before the final anneal (default `false`).
    /// - Precondition: `totalSteps` > 0 and 0 < `warmupFraction` < 1.
    public init(
        maximumValue: Double, totalSteps: Int, warmupFraction: Double = 0.3, annealing: Annealing = .cosine,
        divisionFactor: Double = 25, finalDivisionFactor: Double = 1e4, threePhase: Bool = false
    ) {
        precondition(totalSteps > 0, "OneCycle: totalSteps \(totalSteps) must be > 0")
        precondition(warmupFraction > 0 && warmupFraction < 1, "OneCycle: warmupFraction \(warmupFraction) must be in (0, 1)")
        self.maximumValue = maximumValue
        self.totalSteps = totalSteps
        self.warmupFraction = warmupFraction
        self.annealing = annealing
        self.divisionFactor = divisionFactor
        self.finalDivisionFactor = finalDivisionFactor
        self.threePhase = threePhase
    }

    /// The value at the start, `maximumValue / divisionFactor`.
    public var initialValue: Double { maximumValue / divisionFactor }
    /// The value at the end, `initialValue / finalDivisionFactor`.
    public var finalValue: Double { initialValue / finalDivisionFactor }

    public func value(at step: Int) -> Double {
        // PyTorch's last step is totalSteps − 1; later steps hold its value.
        let t = Double(min(max(step, 0), max(totalSteps - 1, 0)))
        let total = Double(totalSteps), p = warmupFraction
        let phases: [(end: Double, start: Double, target: Double)] =
            threePhase
            ? [(p * total - 1, initialValue, maximumValue), (2 * p * total - 2, maximumValue, initialValue),
               (total - 1, initialValue, finalValue)]
            : [(p * total - 1, initialValue, maximumValue), (total - 1, maximumValue, finalValue)]
        var phaseStart = 0.0
        for (index, phase) in phases.enumerated() {
            if t <= phase.end || index == phases.count - 1 {
                // A phase shorter than one step (p·T < 1) is already complete.
                let fraction = phase.end > phaseStart ? min(max((t - phaseStart) / (phase.end - phaseStart), 0), 1) : 1
                switch annealing {
                case .cosine: return cosineInterpolation(from: phase.start, to: phase.target, fraction: fraction)
                case .linear: return phase.start + (phase.target - phase.start) * fraction
                }
            }
            phaseStart = phase.end
        }
        return finalValue
    }
}
