import Testing
import KeelLayers

/// Recurrent (generic and fused paths, all outputs and last only, batch-first) against central
/// finite differences in Double: inputs, initial state, final-state gradient and parameters.
@Suite struct RecurrentGradientTests {
    typealias Support = RecurrentTestSupport
    static let timeSteps = 5, batchSize = 3, inputSize = 3, hiddenSize = 4

    func check<C: GatedRecurrentCell>(
        _ cell: C, label: String, makeState: @escaping ([Tensor<Double>]) -> C.State
    ) where C.Scalar == Double {
        for fused in [true, false] {
            for returnsSequences in [true, false] {
                for batchFirst in [false, true] where returnsSequences || !batchFirst {
                    let layer = Recurrent(cell: cell, returnsSequences: returnsSequences, batchFirst: batchFirst, usesFusedPath: fused)
                    checkLayer(layer, label: "\(label) fused \(fused) sequences \(returnsSequences) batchFirst \(batchFirst)", makeState: makeState)
                }
            }
        }
    }

    func checkLayer<C: GatedRecurrentCell>(
        _ layer: Recurrent<C>, label: String, makeState: @escaping ([Tensor<Double>]) -> C.State
    ) where C.Scalar == Double {
        let t = Self.timeSteps, b = Self.batchSize, h = Self.hiddenSize
        let input: Tensor<Double> = Support.random(layer.batchFirst ? [b, t, Self.inputSize] : [t, b, Self.inputSize], seed: 5)
        let count = layer.cell.zeroState(batchSize: b).stateTensors.count
        let stateTensors = (0..<count).map { Support.random([b, h], seed: 30 + UInt64($0)) as Tensor<Double> }
        let stateWeights = (0..<count).map { Support.random([b, h], seed: 40 + UInt64($0)) as Tensor<Double> }
        let outputShape = layer.returnsSequences ? (layer.batchFirst ? [b, t, h] : [t, b, h]) : [b, h]
        let outputWeights: Tensor<Double> = Support.random(outputShape, seed: 6)
        func loss(_ layer: Recurrent<C>, _ input: Tensor<Double>, _ state: [Tensor<Double>]) -> Double {
            var context = ForwardContext(mode: .training)
            let (output, final, _) = layer.forward(input, initialState: makeState(state), context: &context)
            return Support.weightedSum(output, outputWeights)
                + zip(final.stateTensors, stateWeights).reduce(0) { $0 + Support.weightedSum($1.0, $1.1) }
        }

        var context = ForwardContext(mode: .training)
        let (_, _, cache) = layer.forward(input, initialState: makeState(stateTensors), context: &context)
        var gradients = layer.parameters.zerosLike()
        var backwardContext = SequenceBackwardContext()
        let (inputGradient, stateGradient) = layer.backward(
            outputWeights, finalStateGradient: makeState(stateWeights), cache: cache, gradients: &gradients, context: &backwardContext)

        let numericInput = Support.numericalGradient(at: input) { loss(layer, $0, stateTensors) }
        let inputError = Support.relativeError(inputGradient, numericInput)
        #expect(inputError <= 1e-6, "\(label): ∂L/∂x relative error \(inputError)")
        for index in 0..<count {
            let numeric = Support.numericalGradient(at: stateTensors[index]) { perturbed in
                var replaced = stateTensors
                replaced[index] = perturbed
                return loss(layer, input, replaced)
            }
            let error = Support.relativeError(stateGradient.stateTensors[index], numeric)
            #expect(error <= 1e-6, "\(label): ∂L/∂s₀[\(index)] relative error \(error)")
        }
        Support.checkParameterGradients(layer, analytic: gradients, label: label) { loss($0, input, stateTensors) }
    }

    @Test func rnn() {
        check(RNNCell<Double>(inputSize: 3, hiddenSize: 4, seed: 11), label: "RNN tanh") { $0[0] }
        check(RNNCell<Double>(inputSize: 3, hiddenSize: 4, nonlinearity: .relu, seed: 12), label: "RNN relu") { $0[0] }
    }

    @Test func lstm() {
        check(LSTMCell<Double>(inputSize: 3, hiddenSize: 4, seed: 13), label: "LSTM") { LSTMState(hidden: $0[0], cell: $0[1]) }
    }

    @Test func gru() {
        check(GRUCell<Double>(inputSize: 3, hiddenSize: 4, seed: 14), label: "GRU") { $0[0] }
    }

    @Test func layerBackwardWithoutStateMatchesDifferences() {
        var layer = Recurrent(cell: GRUCell<Double>(inputSize: 3, hiddenSize: 4, seed: 15))
        let input: Tensor<Double> = Support.random([5, 3, 3], seed: 16)
        let weights: Tensor<Double> = Support.random([5, 3, 4], seed: 17)
        var context = ForwardContext(mode: .training)
        let (_, cache) = layer.forward(input, context: &context)
        var gradients = layer.parameters.zerosLike()
        let inputGradient = layer.backward(weights, cache: cache, gradients: &gradients)
        let numeric = Support.numericalGradient(at: input) { Support.weightedSum(layer($0), weights) }
        #expect(Support.relativeError(inputGradient, numeric) <= 1e-6)
        Support.checkParameterGradients(layer, analytic: gradients, label: "GRU layer") { Support.weightedSum($0(input), weights) }
    }
}
