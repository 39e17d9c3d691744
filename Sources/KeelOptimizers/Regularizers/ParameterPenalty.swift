/// The plumbing shared by the coupled penalties (``L1Regularization``, ``L2Regularization``): no
/// state, a check that the context's parameters line up with the updates, and one pass over the
/// masked parameters. A conformer says how the penalty's gradient λ·∂R/∂θ is added to one tensor.
protocol ParameterPenalty: GradientTransform where State == RegularizationState {
    /// The transform's name in precondition messages.
    static var name: String { get }
    /// λ ≥ 0, the strength of the penalty.
    var coefficient: Double { get }
    /// Which parameters are regularized.
    var mask: DecayMask { get }
    /// Adds λ·∂R/∂θ for the parameter at `index` of `parameters` to `updates`' tensor at `index`.
    func addPenaltyGradient(to updates: inout ParameterSet<Scalar>, at index: Int, parameters: ParameterSet<Scalar>)
}

extension ParameterPenalty {
    /// A ``RegularizationState``: the penalty keeps no history.
    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    /// Adds the penalty's gradient to every masked parameter's update (nothing when λ = 0).
    public func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws {
        guard coefficient != 0 else { return }
        requireParameters(context, matching: updates, Self.name)
        for index in updates.indices where mask.includes(updates.keys[index], shape: updates.tensors[index].shape) {
            addPenaltyGradient(to: &updates, at: index, parameters: context.parameters)
        }
    }
}
