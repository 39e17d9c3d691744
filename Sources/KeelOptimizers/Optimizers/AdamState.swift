/// The state of ``Adam`` and ``AdamW``: the step count and the moment estimates.
public struct AdamState<Scalar: TensorScalar>: Codable, Sendable, Equatable {
    /// Updates applied so far (t − 1 during the t-th update).
    public var step: Int
    /// The first-moment estimate m (PyTorch's `exp_avg`).
    public var firstMoment: ParameterSet<Scalar>
    /// The second-moment estimate v (`exp_avg_sq`).
    public var secondMoment: ParameterSet<Scalar>
    /// The running maximum of v under AMSGrad (`max_exp_avg_sq`), else `nil`.
    public var maxSecondMoment: ParameterSet<Scalar>?

    init(for parameters: ParameterSet<Scalar>, amsgrad: Bool) {
        step = 0
        firstMoment = parameters.zerosLike()
        secondMoment = firstMoment
        maxSecondMoment = amsgrad ? firstMoment : nil
    }
}

extension AdamState where Scalar: TensorScalar {
    /// One Adam step over every tensor; `decoupled` selects AdamW's weight decay.
    mutating func advance(
        _ updates: inout ParameterSet<Scalar>, context: TransformContext<Scalar>, learningRate: Double,
        beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double, decoupled: Bool, name: String
    ) {
        requireSameStructure(updates, firstMoment, name)
        if weightDecay != 0 { requireParameters(context, matching: updates, name) }
        let t = Double(step + 1)
        let biasCorrection1 = Scalar(1 - ScheduleMath.power(beta1, t))
        let biasCorrection2 = Scalar(1 - ScheduleMath.power(beta2, t))
        for index in updates.indices {
            let count = updates.tensors[index].scalarCount
            Kernels.adamStep(
                count: count, update: updates.kernelOutput(at: index),
                parameter: parameterInput(context, at: index, needed: weightDecay != 0),
                firstMoment: firstMoment.kernelOutput(at: index), secondMoment: secondMoment.kernelOutput(at: index),
                maxSecondMoment: maxSecondMoment.kernelOutput(at: index), learningRate: Scalar(learningRate),
                beta1: Scalar(beta1), beta2: Scalar(beta2), epsilon: Scalar(epsilon), weightDecay: Scalar(weightDecay),
                decoupled: decoupled, biasCorrection1: biasCorrection1, biasCorrection2: biasCorrection2)
        }
        step += 1
    }
}
