/// The plumbing shared by ``Adam`` and ``AdamW``: the same hyperparameters, state, schedule and
/// fused kernel; the two differ only in how the weight decay enters (coupled L2 or decoupled)
/// and in their defaults.
protocol AdamFamily: Optimizer where State == AdamState<Scalar> {
    /// The optimizer's name in reports and messages.
    static var name: String { get }
    /// Whether the weight decay is decoupled (AdamW) rather than coupled L2 (Adam).
    static var decouplesWeightDecay: Bool { get }
    var beta1: Double { get }
    var beta2: Double { get }
    var epsilon: Double { get }
    var weightDecay: Double { get }
    var amsgrad: Bool { get }
    var schedule: (any LearningRateSchedule)? { get }
}

extension AdamFamily {
    /// Zero moments (and a zero running maximum with AMSGrad) shaped like `parameters`.
    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        State(for: parameters, amsgrad: amsgrad)
    }

    /// The schedule's value at the optimizer's own step count (the base rate without a schedule).
    public func scheduledLearningRate(state: State, step: Int) -> Double? {
        rateInForce(learningRate, schedule, at: state.step)
    }

    /// One fused Adam step over every tensor.
    public func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws {
        let rate = appliedLearningRate(Self.name, learningRate, schedule, at: state.step, in: &context)
        state.advance(
            &updates, context: context, learningRate: rate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            weightDecay: weightDecay, decoupled: Self.decouplesWeightDecay, name: Self.name)
    }
}

/// Checks Adam's and AdamW's hyperparameters.
func validateAdam(_ name: String, _ learningRate: Double, _ beta1: Double, _ beta2: Double, _ epsilon: Double, _ weightDecay: Double) {
    precondition(learningRate >= 0, "\(name): learningRate \(learningRate) must be ≥ 0")
    precondition((0..<1).contains(beta1), "\(name): beta1 \(beta1) must be in [0, 1)")
    precondition((0..<1).contains(beta2), "\(name): beta2 \(beta2) must be in [0, 1)")
    precondition(epsilon >= 0, "\(name): epsilon \(epsilon) must be ≥ 0")
    precondition(weightDecay >= 0, "\(name): weightDecay \(weightDecay) must be ≥ 0")
}
