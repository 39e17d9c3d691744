import CKeelKernels

// Fused optimizer update kernels: one pass over the gradient, the moments and (when weight decay
// needs them) the parameters of one tensor.
//
// Each kernel reads the gradient from `update` and overwrites it with the step to **add** to the
// parameters (−learning rate·direction); moment buffers are updated in place. `parameter` is read
// only when a weight-decay term is non-zero. Optional buffers are `nil` when the option that needs
// them is off. The formulas are PyTorch's single-tensor algorithms; see the optimizers in
// `KeelOptimizers` for the exact statements. The loops are C kernels (vectorized for each
// dispatch path, run with denormals flushed): memory-bound, one read of each buffer and one write
// of each written buffer per step.

/// The scalars the fused optimizer kernels accept: every ``TensorScalar``.
///
/// Kept as a name so `Optimizer<Scalar: FusedUpdateScalar>` code written against earlier Keel
/// versions compiles; the kernels themselves are no longer static requirements on the scalar.
public typealias FusedUpdateScalar = TensorScalar

extension Kernels {
    /// SGD with momentum, dampening, Nesterov and coupled weight decay.
    package static func sgdStep<S: TensorScalar>(
        count: Int, update: UnsafeMutablePointer<S>, parameter: UnsafePointer<S>?,
        momentumBuffer: UnsafeMutablePointer<S>?, learningRate: S, momentum: S, dampening: S,
        weightDecay: S, nesterov: Bool, isFirstStep: Bool
    ) {
        switch Precision.of(S.self) {
        case .single:
            keel_s_sgd_step(
                count, f32(update), f32(parameter), f32(momentumBuffer), s32(learningRate), s32(momentum),
                s32(dampening), s32(weightDecay), nesterov, isFirstStep)
        case .double:
            keel_d_sgd_step(
                count, f64(update), f64(parameter), f64(momentumBuffer), s64(learningRate), s64(momentum),
                s64(dampening), s64(weightDecay), nesterov, isFirstStep)
        }
    }

    /// Adam (coupled decay) or AdamW (`decoupled`), with AMSGrad when `maxSecondMoment` is given.
    /// `biasCorrection1` = 1 − β₁ᵗ, `biasCorrection2` = 1 − β₂ᵗ.
    package static func adamStep<S: TensorScalar>(
        count: Int, update: UnsafeMutablePointer<S>, parameter: UnsafePointer<S>?,
        firstMoment: UnsafeMutablePointer<S>, secondMoment: UnsafeMutablePointer<S>,
        maxSecondMoment: UnsafeMutablePointer<S>?, learningRate: S, beta1: S, beta2: S,
        epsilon: S, weightDecay: S, decoupled: Bool, biasCorrection1: S, biasCorrection2: S
    ) {
        switch Precision.of(S.self) {
        case .single:
            keel_s_adam_step(
                count, f32(update), f32(parameter), f32(firstMoment), f32(secondMoment), f32(maxSecondMoment),
                s32(learningRate), s32(beta1), s32(beta2), s32(epsilon), s32(weightDecay), decoupled,
                s32(biasCorrection1), s32(biasCorrection2))
        case .double:
            keel_d_adam_step(
                count, f64(update), f64(parameter), f64(firstMoment), f64(secondMoment), f64(maxSecondMoment),
                s64(learningRate), s64(beta1), s64(beta2), s64(epsilon), s64(weightDecay), decoupled,
                s64(biasCorrection1), s64(biasCorrection2))
        }
    }

    /// RMSprop, centered when `averageGradient` is given, with momentum when `momentumBuffer` is.
    package static func rmspropStep<S: TensorScalar>(
        count: Int, update: UnsafeMutablePointer<S>, parameter: UnsafePointer<S>?,
        squareAverage: UnsafeMutablePointer<S>, averageGradient: UnsafeMutablePointer<S>?,
        momentumBuffer: UnsafeMutablePointer<S>?, learningRate: S, alpha: S, epsilon: S,
        weightDecay: S, momentum: S
    ) {
        switch Precision.of(S.self) {
        case .single:
            keel_s_rmsprop_step(
                count, f32(update), f32(parameter), f32(squareAverage), f32(averageGradient), f32(momentumBuffer),
                s32(learningRate), s32(alpha), s32(epsilon), s32(weightDecay), s32(momentum))
        case .double:
            keel_d_rmsprop_step(
                count, f64(update), f64(parameter), f64(squareAverage), f64(averageGradient), f64(momentumBuffer),
                s64(learningRate), s64(alpha), s64(epsilon), s64(weightDecay), s64(momentum))
        }
    }

    /// Adagrad with the already decayed learning rate.
    package static func adagradStep<S: TensorScalar>(
        count: Int, update: UnsafeMutablePointer<S>, parameter: UnsafePointer<S>?,
        sum: UnsafeMutablePointer<S>, learningRate: S, epsilon: S, weightDecay: S
    ) {
        switch Precision.of(S.self) {
        case .single:
            keel_s_adagrad_step(count, f32(update), f32(parameter), f32(sum), s32(learningRate), s32(epsilon), s32(weightDecay))
        case .double:
            keel_d_adagrad_step(count, f64(update), f64(parameter), f64(sum), s64(learningRate), s64(epsilon), s64(weightDecay))
        }
    }

    /// Lion with decoupled weight decay.
    package static func lionStep<S: TensorScalar>(
        count: Int, update: UnsafeMutablePointer<S>, parameter: UnsafePointer<S>?,
        momentum: UnsafeMutablePointer<S>, learningRate: S, beta1: S, beta2: S, weightDecay: S
    ) {
        switch Precision.of(S.self) {
        case .single:
            keel_s_lion_step(
                count, f32(update), f32(parameter), f32(momentum), s32(learningRate), s32(beta1), s32(beta2), s32(weightDecay))
        case .double:
            keel_d_lion_step(
                count, f64(update), f64(parameter), f64(momentum), s64(learningRate), s64(beta1), s64(beta2), s64(weightDecay))
        }
    }

    /// update[i] += α·sign(parameter[i]), sign(0) = 0.
    package static func addScaledSign<S: TensorScalar>(
        count: Int, update: UnsafeMutablePointer<S>, parameter: UnsafePointer<S>, alpha: S
    ) {
        switch Precision.of(S.self) {
        case .single: keel_s_add_scaled_sign(count, f32(update), f32(parameter), s32(alpha))
        case .double: keel_d_add_scaled_sign(count, f64(update), f64(parameter), s64(alpha))
        }
    }
}
