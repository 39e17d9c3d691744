/// Coupled L2 regularization (PyTorch's `weight_decay` on SGD/Adam/RMSprop): adds λ·θ to the
/// gradient of every masked parameter, g ← g + λ·θ, reading θ from `context.parameters`.
///
/// Place it before the optimizer (*L2 → Adam*); adaptive optimizers then rescale the decay with
/// the gradient, which is why ``DecoupledWeightDecay`` exists.
///
/// - Parameters:
///   - coefficient: λ ≥ 0.
///   - mask: which parameters are regularized (default all).
public struct L2Regularization<Scalar: TensorScalar>: GradientTransform, ParameterPenalty {
    public typealias State = RegularizationState

    /// λ ≥ 0, the strength of the penalty.
    public let coefficient: Double
    /// Which parameters are regularized; the others' gradients pass through unchanged.
    public let mask: DecayMask

    /// A regularizer of strength `coefficient` on the parameters `mask` selects (default all).
    ///
    /// - Precondition: `coefficient` ≥ 0.
    public init(coefficient: Double, mask: DecayMask = .all) {
        precondition(coefficient >= 0, "L2Regularization: coefficient \(coefficient) must be ≥ 0")
        self.coefficient = coefficient
        self.mask = mask
    }

    /// A regularizer restricted to the keys `includes` accepts.
    public init(coefficient: Double, mask includes: @escaping @Sendable (ParameterKey) -> Bool) {
        self.init(coefficient: coefficient, mask: DecayMask(includes))
    }

    static var name: String { "L2Regularization" }

    func addPenaltyGradient(to updates: inout ParameterSet<Scalar>, at index: Int, parameters: ParameterSet<Scalar>) {
        updates.withTensor(at: index) { $0.addScaled(parameters.tensors[index], by: Scalar(coefficient)) }
    }
}
