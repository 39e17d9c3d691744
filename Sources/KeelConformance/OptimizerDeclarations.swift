/// The weight decay an optimizer under test is configured with, so the suite can check it.
public enum DeclaredWeightDecay: Sendable, Hashable {
    /// No weight decay: the update does not depend on the parameters.
    case none
    /// Decoupled (AdamW, Loshchilov & Hutter 2019): the update is the optimizer's step for the
    /// gradient alone, plus −γ·λ·θ (γ the learning rate applied that step).
    case decoupled(Double)
    /// Coupled L2 (PyTorch's `weight_decay` in SGD and Adam): the optimizer sees g + λ·θ.
    case coupled(Double)
}

/// The size of an optimizer's first step from a fresh state, which the suite checks elementwise
/// (learning rate γ, gradient g).
public enum DeclaredFirstStep: Sendable, Hashable {
    /// −γ·g (SGD, with or without momentum).
    case gradientTimesLearningRate
    /// −γ·g/(|g| + ε): bias-corrected adaptive methods (Adam, AdamW, AdaBelief), and Adagrad.
    case normalized(epsilon: Double)
    /// −γ·sign(g) (Lion, signSGD).
    case sign
}

/// A plain scalar re-implementation of an elementwise optimizer, the independent reference the
/// suite compares against: given one coordinate's gradients g₁…g_T, its parameter values
/// θ₁…θ_T (before each update) and the learning rate, it returns the updates Δθ₁…Δθ_T.
///
/// Write it from the paper, in `Double`, without calling your optimizer:
///
/// ```swift
/// let reference: ScalarOptimizerReference = { gradients, _, learningRate in
///     var velocity = 0.0
///     return gradients.map { g in
///         velocity = 0.9 * velocity + g
///         return -learningRate * velocity
///     }
/// }
/// ```
public typealias ScalarOptimizerReference = @Sendable (_ gradients: [Double], _ parameters: [Double], _ learningRate: Double) -> [Double]

/// An optimizer state that counts the updates it has applied, so the suite can check one advance
/// per apply.
public protocol StepCountingState {
    /// Updates applied so far.
    var stepCount: Int { get }
}

extension AdamState: StepCountingState {
    public var stepCount: Int { step }
}
