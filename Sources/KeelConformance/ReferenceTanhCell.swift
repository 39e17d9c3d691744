/// The simplest correct recurrent cell, hₜ = tanh(xₜ·W_ihᵀ + hₜ₋₁·W_hhᵀ + b): an archetype for
/// tests and the model a custom cell's code can follow.
///
/// **Shapes.** input `[batch, inputSize]`; state and output `[batch, hiddenSize]`;
/// `weightIH` `[hiddenSize, inputSize]`, `weightHH` `[hiddenSize, hiddenSize]`, `bias` `[hiddenSize]`.
public struct ReferenceTanhCell<Scalar: TensorScalar>: Cell {
    public typealias State = Tensor<Scalar>

    /// What backward needs: the step's input, previous state and output.
    public struct StepCache: Sendable {
        var input: Tensor<Scalar>
        var previous: Tensor<Scalar>
        var output: Tensor<Scalar>
    }

    /// W_ih, `[hiddenSize, inputSize]`.
    public var weightIH: Tensor<Scalar>
    /// W_hh, `[hiddenSize, hiddenSize]`.
    public var weightHH: Tensor<Scalar>
    /// b, `[hiddenSize]`.
    public var bias: Tensor<Scalar>

    /// A cell with every parameter drawn from U(−1/√H, 1/√H), as PyTorch's `RNNCell`.
    public init(inputSize: Int, hiddenSize: Int, seed: UInt64) {
        var generator = Xoshiro256StarStar(seed: seed)
        let bound = 1 / Scalar(hiddenSize).squareRoot()
        weightIH = Tensor(randomUniform: [hiddenSize, inputSize], lowerBound: -bound, upperBound: bound, using: &generator)
        weightHH = Tensor(randomUniform: [hiddenSize, hiddenSize], lowerBound: -bound, upperBound: bound, using: &generator)
        bias = Tensor(randomUniform: [hiddenSize], lowerBound: -bound, upperBound: bound, using: &generator)
    }

    public var inputSize: Int { weightIH.shape[1] }
    public var hiddenSize: Int { weightHH.shape[0] }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("weightIH", weightIH)
        try visitor("weightHH", weightHH)
        try visitor("bias", bias)
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("weightIH", &weightIH)
        try visitor("weightHH", &weightHH)
        try visitor("bias", &bias)
    }

    public func zeroState(batchSize: Int) -> State { .zeros([batchSize, hiddenSize]) }

    public func step(_ input: Tensor<Scalar>, state: State) -> (output: Tensor<Scalar>, state: State, cache: StepCache) {
        let output = (input.matmul(weightIH, transposeB: true) + state.matmul(weightHH, transposeB: true) + bias).tanh()
        return (output, output, StepCache(input: input, previous: state, output: output))
    }

    public func backwardStep(
        outputGradient: Tensor<Scalar>, stateGradient: State, cache: StepCache, gradients: inout ParameterSet<Scalar>
    ) -> (inputGradient: Tensor<Scalar>, stateGradient: State) {
        // The output is the state, so both gradients reach it; tanh′ = 1 − h².
        let preactivation = (outputGradient + stateGradient) * (1 - cache.output * cache.output)
        gradients.addGradient(preactivation.matmul(cache.input, transposeA: true), for: "weightIH")
        gradients.addGradient(preactivation.matmul(cache.previous, transposeA: true), for: "weightHH")
        gradients.addGradient(preactivation.sum(alongAxis: 0), for: "bias")
        return (preactivation.matmul(weightIH), preactivation.matmul(weightHH))
    }
}
