/// Adam with bias correction, optional AMSGrad and coupled (L2) weight decay, with PyTorch's
/// semantics (`torch.optim.Adam`).
///
/// At the t-th update (t = 1, 2, …), with learning rate γ (``schedule``'s value at step t − 1 when
/// a schedule is attached, else ``learningRate``):
///
/// ```
/// g ← g + λ·θ                                    if λ ≠ 0 (coupled L2, as PyTorch's Adam)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// v̂ ← max(v̂, v) and s = v̂  with AMSGrad, else s = v
/// denom = √s / √(1 − β₂ᵗ) + ε
/// update = −γ / (1 − β₁ᵗ) · m / denom             (θ ← θ + update)
/// ```
///
/// Each tensor is updated in one fused pass over (g, m, v, θ). For decoupled decay use ``AdamW``.
///
/// - Parameters:
///   - learningRate: γ (default 1e-3).
///   - beta1: β₁ (default 0.9).
///   - beta2: β₂ (default 0.999).
///   - epsilon: ε (default 1e-8), added after the square root.
///   - weightDecay: λ, coupled L2 (default 0).
///   - amsgrad: keep the running maximum of v (Reddi et al. 2018).
///   - schedule: when given, replaces ``learningRate`` at every step.
///
/// ## References
/// Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.
/// Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018.
public struct Adam<Scalar: TensorScalar>: Optimizer, AdamFamily {
    public typealias State = AdamState<Scalar>

    public var learningRate: Double
    /// β₁, the decay of the first-moment (mean) estimate m, in [0, 1).
    public let beta1: Double
    /// β₂, the decay of the second-moment estimate v, in [0, 1).
    public let beta2: Double
    /// ε, added to the denominator after the square root so a zero v cannot divide by zero.
    public let epsilon: Double
    /// λ, the coupled L2 coefficient: λ·θ is added to the gradient before the moments see it.
    public let weightDecay: Double
    /// Whether to divide by the running maximum of v (AMSGrad) so the effective step never grows.
    public let amsgrad: Bool
    /// When set, the learning rate at step t is `schedule.value(at: t)`.
    public let schedule: (any LearningRateSchedule)?

    /// An Adam optimizer; the parameters, defaults and formulas are in the type's documentation.
    ///
    /// - Precondition: `learningRate`, `epsilon`, `weightDecay` ≥ 0 and `beta1`, `beta2` in [0, 1).
    public init(
        learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
        weightDecay: Double = 0, amsgrad: Bool = false, schedule: (any LearningRateSchedule)? = nil
    ) {
        validateAdam("Adam", learningRate, beta1, beta2, epsilon, weightDecay)
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.schedule = schedule
    }

    static var name: String { "Adam" }
    static var decouplesWeightDecay: Bool { false }
}
