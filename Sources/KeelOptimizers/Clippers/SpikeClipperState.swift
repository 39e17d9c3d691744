/// The state of ``SpikeClipper``: the running second moment of every element and the step count.
public struct SpikeClipperState<Scalar: TensorScalar>: Codable, Sendable, Equatable {
    /// V, the exponential moving average of squared clipped gradients, shaped like the parameters.
    public var secondMoment: ParameterSet<Scalar>
    /// Steps taken.
    public var step: Int = 0

    /// A state with V = `secondMoment` before the first step.
    public init(secondMoment: ParameterSet<Scalar>) {
        self.secondMoment = secondMoment
    }
}
