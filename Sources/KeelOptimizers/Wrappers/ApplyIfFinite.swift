/// Applies `inner` only when every update is finite; otherwise outputs zeros (the step does
/// nothing) and leaves `inner`'s state untouched, up to a limit of consecutive refusals.
///
/// Per step, with n the count of consecutive non-finite steps before this one:
/// - all updates finite: apply `inner`, n ← 0;
/// - some NaN or ±∞ and n + 1 ≤ `maxConsecutiveErrors`: output zeros, keep `inner`'s state,
///   n ← n + 1;
/// - some NaN or ±∞ and n + 1 > `maxConsecutiveErrors`: give up refusing, apply `inner` to the
///   non-finite updates, and reset n ← 0.
///
/// The reset on giving up is the fix of optax#1746: Optax keeps counting, so after one give-up
/// every later non-finite step is applied. Here the wrapper refuses again for the next
/// `maxConsecutiveErrors` steps. Checking costs one read pass (a kernel counting non-finite
/// values). A report is appended every step; `fired` means the step was refused.
///
/// ## References
/// - Optax `apply_if_finite` (`optax/transforms/_conditionality.py`); google-deepmind/optax#1746.
public struct ApplyIfFinite<Inner: GradientTransform>: GradientTransform {
    public typealias Scalar = Inner.Scalar
    public typealias State = ApplyIfFiniteState<Inner.State>

    /// The guarded transform.
    public var inner: Inner
    /// How many consecutive non-finite steps are refused before one is applied anyway.
    public var maxConsecutiveErrors: Int

    /// `inner`, guarded against non-finite updates.
    ///
    /// - Precondition: `maxConsecutiveErrors` ≥ 0.
    public init(_ inner: Inner, maxConsecutiveErrors: Int) {
        precondition(maxConsecutiveErrors >= 0, "ApplyIfFinite: maxConsecutiveErrors must be >= 0, got \(maxConsecutiveErrors)")
        self.inner = inner
        self.maxConsecutiveErrors = maxConsecutiveErrors
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        State(inner: inner.makeState(for: parameters))
    }

    /// The guarded transform's rate.
    public func scheduledLearningRate(state: State, step: Int) -> Double? {
        inner.scheduledLearningRate(state: state.inner, step: step)
    }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        let nonFinite = updates.nonFiniteCount
        if nonFinite == 0 {
            state.consecutiveNonFinite = 0
            state.lastFinite = true
            context.reports.append(.note(TransformNote(transform: "ApplyIfFinite", fired: false)))
            try inner.apply(to: &updates, state: &state.inner, context: &context)
            return
        }
        state.lastFinite = false
        state.totalNonFinite += 1
        let detail = "\(nonFinite) non-finite values, first in \(updates.firstNonFiniteKey!)"
        if state.consecutiveNonFinite + 1 > maxConsecutiveErrors {
            state.consecutiveNonFinite = 0
            context.reports.append(
                .note(TransformNote(transform: "ApplyIfFinite", fired: false, detail: detail + "; applied after too many refusals")))
            try inner.apply(to: &updates, state: &state.inner, context: &context)
        } else {
            state.consecutiveNonFinite += 1
            updates.replaceWithZeros()
            context.reports.append(.note(TransformNote(transform: "ApplyIfFinite", fired: true, detail: detail + "; step skipped")))
        }
    }
}
