// The code of the article "Writing a custom cell" (KeelConformance.docc), compiled and tested
// here; DocumentationSnippetTests checks that every Swift block of the article appears verbatim.
import KeelConformance
import Testing

/// The minimal gated unit: one gate f decides both what to forget and what to write.
///
///     f  = σ(x·W_fᵀ + h·U_fᵀ + b_f)
///     c  = tanh(x·W_cᵀ + (f⊙h)·U_cᵀ + b_c)
///     h′ = (1 − f)⊙h + f⊙c
///
/// **Shapes.** input `[batch, inputSize]`; state and output `[batch, hiddenSize]`.
///
/// ## References
/// Zhou, Wu, Zhang, Zhou, "Minimal Gated Unit for Recurrent Neural Networks", 2016.
public struct MinimalGatedCell<Scalar: TensorScalar>: Cell {
    public typealias State = Tensor<Scalar>

    public struct StepCache: Sendable {
        var input, previous, gate, candidate: Tensor<Scalar>
    }

    public var weightF, recurrentF, biasF: Tensor<Scalar>
    public var weightC, recurrentC, biasC: Tensor<Scalar>

    public init(inputSize: Int, hiddenSize: Int, seed: UInt64) {
        var generator = Xoshiro256StarStar(seed: seed)
        let bound = 1 / Scalar(hiddenSize).squareRoot()
        func uniform(_ shape: [Int]) -> Tensor<Scalar> {
            Tensor(randomUniform: shape, lowerBound: -bound, upperBound: bound, using: &generator)
        }
        weightF = uniform([hiddenSize, inputSize])
        recurrentF = uniform([hiddenSize, hiddenSize])
        biasF = uniform([hiddenSize])
        weightC = uniform([hiddenSize, inputSize])
        recurrentC = uniform([hiddenSize, hiddenSize])
        biasC = uniform([hiddenSize])
    }

    public var inputSize: Int { weightF.shape[1] }
    public var hiddenSize: Int { weightF.shape[0] }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("weightF", weightF)
        try visitor("recurrentF", recurrentF)
        try visitor("biasF", biasF)
        try visitor("weightC", weightC)
        try visitor("recurrentC", recurrentC)
        try visitor("biasC", biasC)
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("weightF", &weightF)
        try visitor("recurrentF", &recurrentF)
        try visitor("biasF", &biasF)
        try visitor("weightC", &weightC)
        try visitor("recurrentC", &recurrentC)
        try visitor("biasC", &biasC)
    }

    public func zeroState(batchSize: Int) -> State { .zeros([batchSize, hiddenSize]) }

    public func step(_ input: Tensor<Scalar>, state: State) -> (output: Tensor<Scalar>, state: State, cache: StepCache) {
        let gate = (input.matmul(weightF, transposeB: true) + state.matmul(recurrentF, transposeB: true) + biasF).sigmoid()
        let candidate = (input.matmul(weightC, transposeB: true) + (gate * state).matmul(recurrentC, transposeB: true) + biasC).tanh()
        let next = (1 - gate) * state + gate * candidate
        return (next, next, StepCache(input: input, previous: state, gate: gate, candidate: candidate))
    }

    public func backwardStep(
        outputGradient: Tensor<Scalar>, stateGradient: State, cache: StepCache, gradients: inout ParameterSet<Scalar>
    ) -> (inputGradient: Tensor<Scalar>, stateGradient: State) {
        let (x, h, f, c) = (cache.input, cache.previous, cache.gate, cache.candidate)
        let total = outputGradient + stateGradient  // the output is the next state
        let candidateGradient = total * f * (1 - c * c)  // ∂L/∂(pre-tanh)
        let resetGradient = candidateGradient.matmul(recurrentC)  // ∂L/∂(f⊙h)
        let gateGradient = (total * (c - h) + resetGradient * h) * f * (1 - f)  // ∂L/∂(pre-σ)
        gradients.addGradient(candidateGradient.matmul(x, transposeA: true), for: "weightC")
        gradients.addGradient(candidateGradient.matmul(f * h, transposeA: true), for: "recurrentC")
        gradients.addGradient(candidateGradient.sum(alongAxis: 0), for: "biasC")
        gradients.addGradient(gateGradient.matmul(x, transposeA: true), for: "weightF")
        gradients.addGradient(gateGradient.matmul(h, transposeA: true), for: "recurrentF")
        gradients.addGradient(gateGradient.sum(alongAxis: 0), for: "biasF")
        let inputGradient = candidateGradient.matmul(weightC) + gateGradient.matmul(weightF)
        let previousGradient = total * (1 - f) + resetGradient * f + gateGradient.matmul(recurrentF)
        return (inputGradient, previousGradient)
    }
}

@Suite struct MinimalGatedCellConformanceTests {
    @Test(arguments: CellLaw.allCases)
    func cellLaw(_ law: CellLaw) throws {
        try CellConformance(MinimalGatedCell<Double>(inputSize: 3, hiddenSize: 4, seed: 1)).check(law)
    }

    @Test func trainsInsideRecurrent() {
        let layer = Recurrent(cell: MinimalGatedCell<Float>(inputSize: 3, hiddenSize: 4, seed: 1))
        let output = layer(Tensor<Float>.ones([5, 2, 3]))  // [time, batch, inputSize]
        #expect(output.shape == [5, 2, 4])
    }
}
