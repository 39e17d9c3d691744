/// A ``TensorScalar`` with fused optimizer update kernels: one pass over the gradient, the moments
/// and (when weight decay needs them) the parameters of one tensor.
///
/// Each kernel reads the gradient from `update` and overwrites it with the step to **add** to the
/// parameters (−learning rate·direction); moment buffers are updated in place. `parameter` is read
/// only when a weight-decay term is non-zero. Optional buffers are `nil` when the option that needs
/// them is off. The formulas are PyTorch's single-tensor algorithms; see the optimizers in
/// `KeelOptimizers` for the exact statements.
///
/// The loops are concrete `Float`/`Double` code (a generic body forced inline into each
/// conformance, so release builds specialize and vectorize it): memory-bound, one read of each
/// buffer and one write of each written buffer per step.
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
        fusedSGDStep(
            count, update, parameter, momentumBuffer, learningRate, momentum, dampening, weightDecay, nesterov, isFirstStep)
    }

    public static func kernelAdamStep(
        count: Int, update: UnsafeMutablePointer<Float>, parameter: UnsafePointer<Float>?,
        firstMoment: UnsafeMutablePointer<Float>, secondMoment: UnsafeMutablePointer<Float>,
        maxSecondMoment: UnsafeMutablePointer<Float>?, learningRate: Float, beta1: Float, beta2: Float,
        epsilon: Float, weightDecay: Float, decoupled: Bool, biasCorrection1: Float, biasCorrection2: Float
    ) {
        fusedAdamStep(
            count, update, parameter, firstMoment, secondMoment, maxSecondMoment, learningRate, beta1, beta2,
            epsilon, weightDecay, decoupled, biasCorrection1, biasCorrection2)
    }

    public static func kernelRMSpropStep(
        count: Int, update: UnsafeMutablePointer<Float>, parameter: UnsafePointer<Float>?,
        squareAverage: UnsafeMutablePointer<Float>, averageGradient: UnsafeMutablePointer<Float>?,
        momentumBuffer: UnsafeMutablePointer<Float>?, learningRate: Float, alpha: Float, epsilon: Float,
        weightDecay: Float, momentum: Float
    ) {
        fusedRMSpropStep(
            count, update, parameter, squareAverage, averageGradient, momentumBuffer, learningRate, alpha, epsilon,
            weightDecay, momentum)
    }

    public static func kernelAdagradStep(
        count: Int, update: UnsafeMutablePointer<Float>, parameter: UnsafePointer<Float>?,
        sum: UnsafeMutablePointer<Float>, learningRate: Float, epsilon: Float, weightDecay: Float
    ) {
        fusedAdagradStep(count, update, parameter, sum, learningRate, epsilon, weightDecay)
    }

    public static func kernelLionStep(
        count: Int, update: UnsafeMutablePointer<Float>, parameter: UnsafePointer<Float>?,
        momentum: UnsafeMutablePointer<Float>, learningRate: Float, beta1: Float, beta2: Float, weightDecay: Float
    ) {
        fusedLionStep(count, update, parameter, momentum, learningRate, beta1, beta2, weightDecay)
    }

    public static func kernelAddScaledSign(
        count: Int, update: UnsafeMutablePointer<Float>, parameter: UnsafePointer<Float>, alpha: Float
    ) {
        fusedAddScaledSign(count, update, parameter, alpha)
    }
}

extension Double: FusedUpdateScalar {
    public static func kernelSGDStep(
        count: Int, update: UnsafeMutablePointer<Double>, parameter: UnsafePointer<Double>?,
        momentumBuffer: UnsafeMutablePointer<Double>?, learningRate: Double, momentum: Double, dampening: Double,
        weightDecay: Double, nesterov: Bool, isFirstStep: Bool
    ) {
        fusedSGDStep(
            count, update, parameter, momentumBuffer, learningRate, momentum, dampening, weightDecay, nesterov, isFirstStep)
    }

    public static func kernelAdamStep(
        count: Int, update: UnsafeMutablePointer<Double>, parameter: UnsafePointer<Double>?,
        firstMoment: UnsafeMutablePointer<Double>, secondMoment: UnsafeMutablePointer<Double>,
        maxSecondMoment: UnsafeMutablePointer<Double>?, learningRate: Double, beta1: Double, beta2: Double,
        epsilon: Double, weightDecay: Double, decoupled: Bool, biasCorrection1: Double, biasCorrection2: Double
    ) {
        fusedAdamStep(
            count, update, parameter, firstMoment, secondMoment, maxSecondMoment, learningRate, beta1, beta2,
            epsilon, weightDecay, decoupled, biasCorrection1, biasCorrection2)
    }

    public static func kernelRMSpropStep(
        count: Int, update: UnsafeMutablePointer<Double>, parameter: UnsafePointer<Double>?,
        squareAverage: UnsafeMutablePointer<Double>, averageGradient: UnsafeMutablePointer<Double>?,
        momentumBuffer: UnsafeMutablePointer<Double>?, learningRate: Double, alpha: Double, epsilon: Double,
        weightDecay: Double, momentum: Double
    ) {
        fusedRMSpropStep(
            count, update, parameter, squareAverage, averageGradient, momentumBuffer, learningRate, alpha, epsilon,
            weightDecay, momentum)
    }

    public static func kernelAdagradStep(
        count: Int, update: UnsafeMutablePointer<Double>, parameter: UnsafePointer<Double>?,
        sum: UnsafeMutablePointer<Double>, learningRate: Double, epsilon: Double, weightDecay: Double
    ) {
        fusedAdagradStep(count, update, parameter, sum, learningRate, epsilon, weightDecay)
    }

    public static func kernelLionStep(
        count: Int, update: UnsafeMutablePointer<Double>, parameter: UnsafePointer<Double>?,
        momentum: UnsafeMutablePointer<Double>, learningRate: Double, beta1: Double, beta2: Double, weightDecay: Double
    ) {
        fusedLionStep(count, update, parameter, momentum, learningRate, beta1, beta2, weightDecay)
    }

    public static func kernelAddScaledSign(
        count: Int, update: UnsafeMutablePointer<Double>, parameter: UnsafePointer<Double>, alpha: Double
    ) {
        fusedAddScaledSign(count, update, parameter, alpha)
    }
}

// The loop bodies, inlined into the concrete Float and Double conformances above. Options are
// loop-invariant, so the optimizer unswitches the branches.

@inline(__always)
private func sign<T: BinaryFloatingPoint>(_ x: T) -> T { x > 0 ? 1 : (x < 0 ? -1 : x) }

@inline(__always)
private func fusedSGDStep<T: BinaryFloatingPoint>(
    _ n: Int, _ u: UnsafeMutablePointer<T>, _ p: UnsafePointer<T>?, _ buf: UnsafeMutablePointer<T>?, _ lr: T,
    _ momentum: T, _ dampening: T, _ wd: T, _ nesterov: Bool, _ first: Bool
) {
    let keep = 1 - dampening
    for i in 0..<n {
        var d = u[i]
        if wd != 0 { d += wd * p![i] }
        if let buf {
            let b = first ? d : momentum * buf[i] + keep * d
            buf[i] = b
            d = nesterov ? d + momentum * b : b
        }
        u[i] = -lr * d
    }
}

@inline(__always)
private func fusedAdamStep<T: BinaryFloatingPoint>(
    _ n: Int, _ u: UnsafeMutablePointer<T>, _ p: UnsafePointer<T>?, _ m: UnsafeMutablePointer<T>,
    _ v: UnsafeMutablePointer<T>, _ vMax: UnsafeMutablePointer<T>?, _ lr: T, _ beta1: T, _ beta2: T, _ eps: T,
    _ wd: T, _ decoupled: Bool, _ bc1: T, _ bc2: T
) {
    let stepSize = lr / bc1, bc2Root = bc2.squareRoot(), c1 = 1 - beta1, c2 = 1 - beta2
    let coupled = decoupled ? 0 : wd, decay = decoupled ? lr * wd : 0
    for i in 0..<n {
        var g = u[i]
        if coupled != 0 { g += coupled * p![i] }
        let mi = beta1 * m[i] + c1 * g
        let vi = beta2 * v[i] + c2 * g * g
        m[i] = mi
        v[i] = vi
        var s = vi
        if let vMax {
            s = Swift.max(vMax[i], vi)
            vMax[i] = s
        }
        var step = -stepSize * mi / (s.squareRoot() / bc2Root + eps)
        if decay != 0 { step -= decay * p![i] }
        u[i] = step
    }
}

@inline(__always)
private func fusedRMSpropStep<T: BinaryFloatingPoint>(
    _ n: Int, _ u: UnsafeMutablePointer<T>, _ p: UnsafePointer<T>?, _ sq: UnsafeMutablePointer<T>,
    _ gAvg: UnsafeMutablePointer<T>?, _ buf: UnsafeMutablePointer<T>?, _ lr: T, _ alpha: T, _ eps: T, _ wd: T,
    _ momentum: T
) {
    let c = 1 - alpha
    for i in 0..<n {
        var g = u[i]
        if wd != 0 { g += wd * p![i] }
        var s = alpha * sq[i] + c * g * g
        sq[i] = s
        if let gAvg {
            let a = alpha * gAvg[i] + c * g
            gAvg[i] = a
            s -= a * a
        }
        let avg = s.squareRoot() + eps
        if let buf {
            let b = momentum * buf[i] + g / avg
            buf[i] = b
            u[i] = -lr * b
        } else {
            u[i] = -lr * g / avg
        }
    }
}

@inline(__always)
private func fusedAdagradStep<T: BinaryFloatingPoint>(
    _ n: Int, _ u: UnsafeMutablePointer<T>, _ p: UnsafePointer<T>?, _ sum: UnsafeMutablePointer<T>, _ clr: T,
    _ eps: T, _ wd: T
) {
    for i in 0..<n {
        var g = u[i]
        if wd != 0 { g += wd * p![i] }
        let s = sum[i] + g * g
        sum[i] = s
        u[i] = -clr * g / (s.squareRoot() + eps)
    }
}

@inline(__always)
private func fusedLionStep<T: BinaryFloatingPoint>(
    _ n: Int, _ u: UnsafeMutablePointer<T>, _ p: UnsafePointer<T>?, _ m: UnsafeMutablePointer<T>, _ lr: T,
    _ beta1: T, _ beta2: T, _ wd: T
) {
    let c1 = 1 - beta1, c2 = 1 - beta2, decay = lr * wd
    for i in 0..<n {
        let g = u[i], mi = m[i]
        var step = -lr * sign(beta1 * mi + c1 * g)
        if decay != 0 { step -= decay * p![i] }
        u[i] = step
        m[i] = beta2 * mi + c2 * g
    }
}

@inline(__always)
private func fusedAddScaledSign<T: BinaryFloatingPoint>(_ n: Int, _ u: UnsafeMutablePointer<T>, _ p: UnsafePointer<T>, _ alpha: T) {
    for i in 0..<n { u[i] += alpha * sign(p[i]) }
}
