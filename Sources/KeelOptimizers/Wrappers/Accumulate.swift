/// Gradient accumulation: collects `steps` micro-batch gradients and applies `inner` once, to
/// their mean (or sum); the intermediate steps output zero updates.
///
/// On micro-steps 1…k−1 the incoming gradients are added to an accumulator and the output is
/// zero; on micro-step k, `inner` receives A = (1/k)·Σ gⱼ for ``Reduction/mean`` (Σ gⱼ for
/// ``Reduction/sum``). A clipper placed *inside* therefore clips the accumulated gradient, once,
/// which is what large-batch training means (features.md §c.5) and what clipping each
/// micro-batch gets wrong. With equal-sized micro-batches and the mean, k accumulated steps equal
/// one step on the k-times-larger batch.
///
/// `inner` sees `context.step` equal to the number of times it has run before, so schedules
/// inside count optimizer steps, not micro-steps. The first micro-step of a cycle takes the
/// gradients as the accumulator without copying them.
///
/// ## References
/// - Optax `MultiSteps` (`optax/transforms/_accumulation.py`); PyTorch Lightning
///   `accumulate_grad_batches`.
public struct Accumulate<Inner: GradientTransform>: GradientTransform {
    public typealias Scalar = Inner.Scalar
    public typealias State = AccumulateState<Inner.State, Scalar>

    /// How the micro-batch gradients are combined.
    public enum Reduction: String, Sendable, Codable, Hashable {
        /// (1/k)·Σ gⱼ, for losses averaged over each micro-batch.
        case mean
        /// Σ gⱼ, for losses summed over examples.
        case sum
    }

    /// The transform applied to the accumulated gradient.
    public var inner: Inner
    /// k, the number of micro-batches per update.
    public var steps: Int
    /// How the micro-batch gradients are combined.
    public var reduction: Reduction

    /// `inner` applied once every `steps` micro-batches to their combined gradient.
    ///
    /// - Precondition: `steps` ≥ 1.
    public init(_ inner: Inner, steps: Int, reduction: Reduction = .mean) {
        precondition(steps >= 1, "Accumulate: steps must be >= 1, got \(steps)")
        self.inner = inner
        self.steps = steps
        self.reduction = reduction
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        State(inner: inner.makeState(for: parameters))
    }

    /// The inner transform's rate at its own step count (it steps once per `steps` micro-batches).
    public func scheduledLearningRate(state: State, step: Int) -> Double? {
        inner.scheduledLearningRate(state: state.inner, step: state.innerSteps)
    }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        if state.microStep == 0 {
            state.accumulated = updates
        } else {
            state.accumulated.add(updates)
        }
        state.microStep += 1
        guard state.microStep == steps else {
            updates.replaceWithZeros()
            context.reports.append(
                .note(TransformNote(transform: "Accumulate", fired: false, detail: "micro-step \(state.microStep) of \(steps)")))
            return
        }
        updates = state.accumulated
        state.accumulated = ParameterSet()
        state.microStep = 0
        if reduction == .mean && steps > 1 { updates.scale(by: 1 / Scalar(steps)) }
        context.reports.append(
            .note(TransformNote(transform: "Accumulate", fired: true, detail: "applied the \(reduction.rawValue) of \(steps) micro-batches")))
        let outerStep = context.step
        context.step = state.innerSteps
        defer { context.step = outerStep }
        try inner.apply(to: &updates, state: &state.inner, context: &context)
        state.innerSteps += 1
    }
}
