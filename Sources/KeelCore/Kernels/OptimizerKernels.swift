import CKeelKernels

/// A ``TensorScalar`` with fused optimizer update kernels: one pass over the gradient, the moments
/// and (when weight decay needs them) the parameters of one tensor.
///
/// Each kernel reads the gradient from `update` and overwrites it with the step to **add** to the
/// parameters (−learning rate·direction); moment buffers are updated in place. `parameter` is read
/// only when a weight-decay term is non-zero. Optional buffers are `nil` when the option that needs
/// them is off. The formulas are PyTorch's single-tensor algorithms; see the optimizers in
/// `KeelOptimizers` for the exact statements.
///
/// The loops are C kernels (CKeelKernels, vectorized for each dispatch path, run with denormals
/// flushed): memory-bound, one read of each buffer and one write of each written buffer per step.
public protocol FusedUpdateScalar: TensorScalar {
    /// SGD with momentum, dampening, Nesterov and coupled weight decay.
    static func kernelSGDStep(
        count: Int, update: UnsafeMutablePointer<Self>, parameter: UnsafePointer<Self>?,
        momentumBuffer: UnsafeMutablePointer<Self>?, learningRate: Self, momentum: Self, dampening: Self,
        weightDecay: Self, nesterov: Bool, isFirstStep: Bool)

    /// Adam (coupled decay) or AdamW (`decoupled`), with AMSGrad when `maxSecondMoment` is given.
    /// `biasCorrection1` = 1 − β₁ᵗ, `biasCorrection2` = 1 − β₂ᵗ.
    static func kernelAdamStep(
        count: Int, update: UnsafeMutablePointer<Self>, parameter: UnsafePointer<Self>?,
        firstMoment: UnsafeMutablePointer<Self>, secondMoment: UnsafeMutablePointer<Self>,
        maxSecondMoment: UnsafeMutablePointer<Self>?, learningRate: Self, beta1: Self, beta2: Self,
        epsilon: Self, weightDecay: Self, decoupled: Bool, biasCorrection1: Self, biasCorrection2: Self)

    /// RMSprop, centered when `averageGradient` is given, with momentum when `momentumBuffer` is.
    static func kernelRMSpropStep(
        count: Int, update: UnsafeMutablePointer<Self>, parameter: UnsafePointer<Self>?,
        squareAverage: UnsafeMutablePointer<Self>, averageGradient: UnsafeMutablePointer<Self>?,
        momentumBuffer: UnsafeMutablePointer<Self>?, learningRate: Self, alpha: Self, epsilon: Self,
        weightDecay: Self, momentum: Self)

    /// Adagrad with the already decayed learning rate.
    static func kernelAdagradStep(
        count: Int, update: UnsafeMutablePointer<Self>, parameter: UnsafePointer<Self>?,
        sum: UnsafeMutablePointer<Self>, learningRate: Self, epsilon: Self, weightDecay: Self)

    /// Lion with decoupled weight decay.
    static func kernelLionStep(
        count: Int, update: UnsafeMutablePointer<Self>, parameter: UnsafePointer<Self>?,
        momentum: UnsafeMutablePointer<Self>, learningRate: Self, beta1: Self, beta2: Self, weightDecay: Self)

    /// update[i] += α·sign(parameter[i]), sign(0) = 0.
    static func kernelAddScaledSign(
        count: Int, update: UnsafeMutablePointer<Self>, parameter: UnsafePointer<Self>, alpha: Self)
}

extension Float: FusedUpdateScalar {
    public static func kernelSGDStep(
        count: Int, update: UnsafeMutablePointer<Float>, parameter: UnsafePointer<Float>?,
        momentumBuffer: UnsafeMutablePointer<Float>?, learningRate: Float, momentum: Float, dampening: Float,
        weightDecay: Float, nesterov: Bool, isFirstStep: Bool
    ) {
        keel_s_sgd_step(count, update, parameter, momentumBuffer, learningRate, momentum, dampening, weightDecay, nesterov, isFirstStep)
    }

    public static func kernelAdamStep(
        count: Int, update: UnsafeMutablePointer<Float>, parameter: UnsafePointer<Float>?,
        firstMoment: UnsafeMutablePointer<Float>, secondMoment: UnsafeMutablePointer<Float>,
        maxSecondMoment: UnsafeMutablePointer<Float>?, learningRate: Float, beta1: Float, beta2: Float,
        epsilon: Float, weightDecay: Float, decoupled: Bool, biasCorrection1: Float, biasCorrection2: Float
    ) {
        keel_s_adam_step(
            count, update, parameter, firstMoment, secondMoment, maxSecondMoment, learningRate, beta1, beta2,
            epsilon, weightDecay, decoupled, biasCorrection1, biasCorrection2)
    }

    public static func kernelRMSpropStep(
        count: Int, update: UnsafeMutablePointer<Float>, parameter: UnsafePointer<Float>?,
        squareAverage: UnsafeMutablePointer<Float>, averageGradient: UnsafeMutablePointer<Float>?,
        momentumBuffer: UnsafeMutablePointer<Float>?, learningRate: Float, alpha: Float, epsilon: Float,
        weightDecay: Float, momentum: Float
    ) {
        keel_s_rmsprop_step(
            count, update, parameter, squareAverage, averageGradient, momentumBuffer, learningRate, alpha, epsilon,
            weightDecay, momentum)
    }

    public static func kernelAdagradStep(
        count: Int, update: UnsafeMutablePointer<Float>, parameter: UnsafePointer<Float>?,
        sum: UnsafeMutablePointer<Float>, learningRate: Float, epsilon: Float, weightDecay: Float
    ) {
        keel_s_adagrad_step(count, update, parameter, sum, learningRate, epsilon, weightDecay)
    }

    public static func kernelLionStep(
        count: Int, update: UnsafeMutablePointer<Float>, parameter: UnsafePointer<Float>?,
        momentum: UnsafeMutablePointer<Float>, learningRate: Float, beta1: Float, beta2: Float, weightDecay: Float
    ) {
        keel_s_lion_step(count, update, parameter, momentum, learningRate, beta1, beta2, weightDecay)
    }

    public static func kernelAddScaledSign(
        count: Int, update: UnsafeMutablePointer<Float>, parameter: UnsafePointer<Float>, alpha: Float
    ) {
        keel_s_add_scaled_sign(count, update, parameter, alpha)
    }
}

extension Double: FusedUpdateScalar {
    public static func kernelSGDStep(
        count: Int, update: UnsafeMutablePointer<Double>, parameter: UnsafePointer<Double>?,
        momentumBuffer: UnsafeMutablePointer<Double>?, learningRate: Double, momentum: Double, dampening: Double,
        weightDecay: Double, nesterov: Bool, isFirstStep: Bool
    ) {
        keel_d_sgd_step(count, update, parameter, momentumBuffer, learningRate, momentum, dampening, weightDecay, nesterov, isFirstStep)
    }

    public static func kernelAdamStep(
        count: Int, update: UnsafeMutablePointer<Double>, parameter: UnsafePointer<Double>?,
        firstMoment: UnsafeMutablePointer<Double>, secondMoment: UnsafeMutablePointer<Double>,
        maxSecondMoment: UnsafeMutablePointer<Double>?, learningRate: Double, beta1: Double, beta2: Double,
        epsilon: Double, weightDecay: Double, decoupled: Bool, biasCorrection1: Double, biasCorrection2: Double
    ) {
        keel_d_adam_step(
            count, update, parameter, firstMoment, secondMoment, maxSecondMoment, learningRate, beta1, beta2,
            epsilon, weightDecay, decoupled, biasCorrection1, biasCorrection2)
    }

    public static func kernelRMSpropStep(
        count: Int, update: UnsafeMutablePointer<Double>, parameter: UnsafePointer<Double>?,
        squareAverage: UnsafeMutablePointer<Double>, averageGradient: UnsafeMutablePointer<Double>?,
        momentumBuffer: UnsafeMutablePointer<Double>?, learningRate: Double, alpha: Double, epsilon: Double,
        weightDecay: Double, momentum: Double
    ) {
        keel_d_rmsprop_step(
            count, update, parameter, squareAverage, averageGradient, momentumBuffer, learningRate, alpha, epsilon,
            weightDecay, momentum)
    }

    public static func kernelAdagradStep(
        count: Int, update: UnsafeMutablePointer<Double>, parameter: UnsafePointer<Double>?,
        sum: UnsafeMutablePointer<Double>, learningRate: Double, epsilon: Double, weightDecay: Double
    ) {
        keel_d_adagrad_step(count, update, parameter, sum, learningRate, epsilon, weightDecay)
    }

    public static func kernelLionStep(
        count: Int, update: UnsafeMutablePointer<Double>, parameter: UnsafePointer<Double>?,
        momentum: UnsafeMutablePointer<Double>, learningRate: Double, beta1: Double, beta2: Double, weightDecay: Double
    ) {
        keel_d_lion_step(count, update, parameter, momentum, learningRate, beta1, beta2, weightDecay)
    }

    public static func kernelAddScaledSign(
        count: Int, update: UnsafeMutablePointer<Double>, parameter: UnsafePointer<Double>, alpha: Double
    ) {
        keel_d_add_scaled_sign(count, update, parameter, alpha)
    }
}
