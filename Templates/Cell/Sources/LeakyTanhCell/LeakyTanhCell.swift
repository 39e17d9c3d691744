import KeelCore

/// A leaky tanh cell: hₜ = (1 − α)·hₜ₋₁ + α·tanh(xₜ·W_ihᵀ + hₜ₋₁·W_hhᵀ + b).
///
/// **Shapes.** input `[batch, inputSize]`; state and output `[batch, hiddenSize]`;
/// `weightIH` `[hiddenSize, inputSize]`, `weightHH` `[hiddenSize, hiddenSize]`, `bias` `[hiddenSize]`.
///
/// - Parameters:
///   - leak: α in (0, 1], how much of the new candidate replaces the old state.
public struct LeakyTanhCell<Scalar: TensorScalar>: Cell {
    public typealias State = Tensor<Scalar>

    /// What backward needs: the input, the previous state and the candidate tanh(z).
    public struct StepCache: Sendable {
        var input: Tensor<Scalar>
        var previous: Tensor<Scalar>
        var candidate: Tensor<Scalar>
    }

    /// W_ih, the input weights `[hiddenSize, inputSize]`.
    public var weightIH: Tensor<Scalar>
    /// W_hh, the recurrent weights `[hiddenSize, hiddenSize]`.
    public var weightHH: Tensor<Scalar>
    /// b, the bias `[hiddenSize]`.
    public var bias: Tensor<Scalar>
    /// α in (0, 1], the fraction of the state replaced each step (a fixed setting, not trained).
    public var leak: Scalar

    /// A cell with every parameter drawn from U(−1/√H, 1/√H).
    public init(inputSize: Int, hiddenSize: Int, leak: Scalar = 0.5, seed: UInt64) {
        precondition(leak > 0 && leak <= 1, "LeakyTanhCell: leak \(leak) must be in (0, 1]")
        var generator = Xoshiro256StarStar(seed: seed)
        let bound = 1 / Scalar(hiddenSize).squareRoot()
        weightIH = Tensor(randomUniform: [hiddenSize, inputSize], lowerBound: -bound, upperBound: bound, using: &generator)
        weightHH = Tensor(randomUniform: [hiddenSize, hiddenSize], lowerBound: -bound, upperBound: bound, using: &generator)
        bias = Tensor(randomUniform: [hiddenSize], lowerBound: -bound, upperBound: bound, using: &generator)
        self.leak = leak
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
        let candidate = (input.matmul(weightIH, transposeB: true) + state.matmul(weightHH, transposeB: true) + bias).tanh()
        let next = (1 - leak) * state + leak * candidate
        return (next, next, StepCache(input: input, previous: state, candidate: candidate))
    }

    public func backwardStep(
        outputGradient: Tensor<Scalar>, stateGradient: State, cache: StepCache, gradients: inout ParameterSet<Scalar>
    ) -> (inputGradient: Tensor<Scalar>, stateGradient: State) {
        // The output is the next state, so both gradients reach it.
        let total = outputGradient + stateGradient
        let preactivation = leak * total * (1 - cache.candidate * cache.candidate)
        gradients.addGradient(preactivation.matmul(cache.input, transposeA: true), for: "weightIH")
        gradients.addGradient(preactivation.matmul(cache.previous, transposeA: true), for: "weightHH")
        gradients.addGradient(preactivation.sum(alongAxis: 0), for: "bias")
        let previousGradient = (1 - leak) * total + preactivation.matmul(weightHH)
        return (preactivation.matmul(weightIH), previousGradient)
    }
}
