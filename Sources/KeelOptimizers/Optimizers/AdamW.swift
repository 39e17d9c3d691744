/// Adam with decoupled weight decay, with PyTorch's semantics (`torch.optim.AdamW`).
///
/// PyTorch first shrinks the parameters, θ ← θ − γ·λ·θ, then takes the Adam step on the gradient
/// (which does not see the decay). As a transform output the decay is part of the update, read
/// from `context.parameters`:
///
/// ```
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// v̂ ← max(v̂, v) and s = v̂  with AMSGrad, else s = v
/// denom = √s / √(1 − β₂ᵗ) + ε
/// update = −γ·λ·θ − γ / (1 − β₁ᵗ) · m / denom     (θ ← θ + update)
/// ```
///
/// - Parameters:
///   - learningRate: γ (default 1e-3); the decay scales with it, as in PyTorch.
///   - beta1: β₁ (default 0.9).
///   - beta2: β₂ (default 0.999).
///   - epsilon: ε (default 1e-8).
///   - weightDecay: λ (default 1e-2).
///   - amsgrad: keep the running maximum of v.
///   - schedule: when given, replaces ``learningRate`` at every step.
///
/// ## References
/// Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.
public struct AdamW<Scalar: TensorScalar>: Optimizer, AdamFamily {
    public typealias State = AdamState<Scalar>

    public var learningRate: Double
    /// β₁, the decay of the first-moment (mean) estimate m, in [0, 1).
    public let beta1: Double
    /// β₂, the decay of the second-moment estimate v, in [0, 1).
    public let beta2: Double
    /// ε, added to the denominator after the square root so a zero v cannot divide by zero.
    public let epsilon: Double
    /// λ, the decoupled decay rate: parameters shrink by γ·λ·θ per step, outside the moments.
    public let weightDecay: Double
    /// Whether to divide by the running maximum of v (AMSGrad) so the effective step never grows.
    public let amsgrad: Bool
    /// When set, the learning rate at step t is `schedule.value(at: t)`.
    public let schedule: (any LearningRateSchedule)?

    /// An AdamW optimizer; the parameters, defaults and formulas are in the type's documentation.
    ///
    /// - Precondition: `learningRate`, `epsilon`, `weightDecay` ≥ 0 and `beta1`, `beta2` in [0, 1).
    public init(
        learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
        weightDecay: Double = 1e-2, amsgrad: Bool = false, schedule: (any LearningRateSchedule)? = nil
    ) {
        validateAdam("AdamW", learningRate, beta1, beta2, epsilon, weightDecay)
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.schedule = schedule
    }

    static var name: String { "AdamW" }
    static var decouplesWeightDecay: Bool { true }
}
