/// Sets a hyperparameter of `inner` from a schedule before every step: a clipper's threshold, an
/// optimizer's learning rate, or any number `assign` can write.
///
/// The schedule is a plain closure of the step (`context.step`), so any schedule type can drive
/// it (`{ step in cosine(step) }`). The configuration of `inner` is not mutated: each step
/// applies a copy with the hyperparameter set, so the transform stays a value with immutable
/// configuration, and the value in force is recorded in the state and in a report.
///
/// ```swift
/// let warmingClip = InjectHyperparameters(GlobalNormClipper<Float>(maxNorm: 10), threshold: { step in
///     step < 100 ? 10 : 1
/// })
/// ```
///
/// ## References
/// - Optax `inject_hyperparams` (`optax/schedules/_inject.py`).
public struct InjectHyperparameters<Inner: GradientTransform>: GradientTransform {
    public typealias Scalar = Inner.Scalar
    public typealias State = InjectHyperparametersState<Inner.State>

    /// The transform whose hyperparameter is scheduled.
    public var inner: Inner
    /// The hyperparameter's name, for reports.
    public let name: String
    /// The value at a step.
    public let schedule: @Sendable (Int) -> Double
    /// Writes the value into a copy of `inner`.
    public let assign: @Sendable (inout Inner, Double) -> Void

    /// `inner` with the hyperparameter `assign` writes set to `schedule(step)` on every step.
    public init(
        _ inner: Inner, name: String, schedule: @escaping @Sendable (Int) -> Double,
        assign: @escaping @Sendable (inout Inner, Double) -> Void
    ) {
        self.inner = inner
        self.name = name
        self.schedule = schedule
        self.assign = assign
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        State(inner: inner.makeState(for: parameters))
    }

    /// The rate of `inner` with the hyperparameter set to `schedule(step)`: an injected learning
    /// rate is what the optimizer will apply.
    public func scheduledLearningRate(state: State, step: Int) -> Double? {
        var configured = inner
        assign(&configured, schedule(step))
        return configured.scheduledLearningRate(state: state.inner, step: step)
    }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        let value = schedule(context.step)
        var configured = inner
        assign(&configured, value)
        state.value = value
        context.reports.append(
            .note(TransformNote(transform: "InjectHyperparameters", fired: true, detail: "\(name) = \(value) at step \(context.step)")))
        try configured.apply(to: &updates, state: &state.inner, context: &context)
    }
}

extension InjectHyperparameters where Inner: ThresholdClipper {
    /// `clipper` with its ``ThresholdClipper/threshold`` set to `schedule(step)` on every step.
    public init(_ clipper: Inner, threshold schedule: @escaping @Sendable (Int) -> Double) {
        self.init(clipper, name: "threshold", schedule: schedule) { $0.threshold = $1 }
    }
}

extension InjectHyperparameters where Inner: Optimizer {
    /// `optimizer` with its `Optimizer.learningRate` set to `schedule(step)` on every step.
    public init(_ optimizer: Inner, learningRate schedule: @escaping @Sendable (Int) -> Double) {
        self.init(optimizer, name: "learningRate", schedule: schedule) { $0.learningRate = $1 }
    }
}
