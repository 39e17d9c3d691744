import Testing
import KeelLayers

/// Every built-in cell's backwardStep against central finite differences in Double.
@Suite struct CellGradientTests {
    typealias Support = RecurrentTestSupport
    static let inputSize = 3, hiddenSize = 4, batchSize = 3

    /// L = Σ wy ∘ output + Σᵢ wᵢ ∘ stateᵢ for one step, checked for input, every state tensor and
    /// every parameter.
    func checkCell<C: GatedRecurrentCell>(
        _ cell: C, label: String, makeState: @escaping ([Tensor<Double>]) -> C.State
    ) where C.Scalar == Double {
        let b = Self.batchSize, h = Self.hiddenSize
        let input: Tensor<Double> = Support.random([b, Self.inputSize], seed: 1)
        let stateTensors = cell.zeroState(batchSize: b).stateTensors.indices.map { index -> Tensor<Double> in
            Support.random([b, h], seed: 10 + UInt64(index))
        }
        let state = makeState(stateTensors)
        let outputWeights: Tensor<Double> = Support.random([b, h], seed: 2)
        let stateWeights = stateTensors.indices.map { index -> Tensor<Double> in Support.random([b, h], seed: 20 + UInt64(index)) }
        func loss(_ cell: C, _ input: Tensor<Double>, _ state: C.State) -> Double {
            let (output, next, _) = cell.step(input, state: state)
            return Support.weightedSum(output, outputWeights)
                + zip(next.stateTensors, stateWeights).reduce(0) { $0 + Support.weightedSum($1.0, $1.1) }
        }

        let (_, _, cache) = cell.step(input, state: state)
        var gradients = cell.parameters.zerosLike()
        let (inputGradient, stateGradient) = cell.backwardStep(
            outputGradient: outputWeights, stateGradient: makeState(stateWeights), cache: cache, gradients: &gradients)

        let numericInput = Support.numericalGradient(at: input) { loss(cell, $0, state) }
        #expect(Support.relativeError(inputGradient, numericInput) <= 1e-6, "\(label): ∂L/∂x")
        for index in stateTensors.indices {
            let numeric = Support.numericalGradient(at: stateTensors[index]) { perturbed in
                var replaced = stateTensors
                replaced[index] = perturbed
                return loss(cell, input, makeState(replaced))
            }
            let error = Support.relativeError(stateGradient.stateTensors[index], numeric)
            #expect(error <= 1e-6, "\(label): ∂L/∂state[\(index)] relative error \(error)")
        }
        Support.checkParameterGradients(cell, analytic: gradients, label: label) { loss($0, input, state) }
    }

    @Test func rnnTanhCell() {
        checkCell(RNNCell<Double>(inputSize: 3, hiddenSize: 4, seed: 1), label: "RNNCell tanh") { $0[0] }
    }

    @Test func rnnReLUCell() {
        checkCell(RNNCell<Double>(inputSize: 3, hiddenSize: 4, nonlinearity: .relu, seed: 2), label: "RNNCell relu") { $0[0] }
    }

    @Test func lstmCell() {
        checkCell(LSTMCell<Double>(inputSize: 3, hiddenSize: 4, forgetGateBias: 1, seed: 3), label: "LSTMCell") {
            LSTMState(hidden: $0[0], cell: $0[1])
        }
    }

    @Test func gruCell() {
        checkCell(GRUCell<Double>(inputSize: 3, hiddenSize: 4, seed: 4), label: "GRUCell") { $0[0] }
    }

    @Test func parameterLayoutMatchesPyTorch() {
        let lstm = LSTMCell<Float>(inputSize: 5, hiddenSize: 7, forgetGateBias: 1, seed: 1)
        #expect(lstm.parameters.keys == ["weightIH", "weightHH", "biasIH", "biasHH"])
        #expect(lstm.weightIH.shape == [28, 5] && lstm.weightHH.shape == [28, 7] && lstm.biasIH.shape == [28])
        #expect(lstm.forgetGateBias == .ones([7]))
        #expect(lstm.bias(of: .forget) == .ones([7]))
        #expect(GRUCell<Float>(inputSize: 5, hiddenSize: 7, seed: 1).weightIH.shape == [21, 5])
        #expect(RNNCell<Float>(inputSize: 5, hiddenSize: 7, seed: 1).weightHH.shape == [7, 7])
        let bound = 1 / Float(7).squareRoot()
        #expect(lstm.weightHH.max() <= bound && lstm.weightHH.min() >= -bound)
        #expect(GRUCell<Float>(inputSize: 5, hiddenSize: 7, seed: 1).zeroState(batchSize: 3).shape == [3, 7])
        #expect(lstm.zeroState(batchSize: 2).cell.shape == [2, 7])
    }
}
