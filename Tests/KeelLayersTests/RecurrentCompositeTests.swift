import Testing
import KeelLayers

/// StackedRecurrent and Bidirectional against central finite differences in Double.
@Suite struct RecurrentCompositeTests {
    typealias Support = RecurrentTestSupport

    /// Checks input, every initial-state tensor (via `stateTensors`/`makeStates`) and every parameter.
    func checkStack<L: RecurrentSequenceLayer>(
        _ stack: StackedRecurrent<L>, label: String, seed: UInt64 = 0,
        stateTensors: @escaping ([L.State]) -> [Tensor<Double>], makeStates: @escaping ([Tensor<Double>]) -> [L.State]
    ) where L.Scalar == Double {
        let t = 5, b = 3
        let input: Tensor<Double> = Support.random(stack.batchFirst ? [b, t, stack.inputSize] : [t, b, stack.inputSize], seed: 60)
        let initial = stateTensors(stack.zeroStates(batchSize: b)).enumerated().map {
            Support.random($0.element.shape, seed: 70 + UInt64($0.offset)) as Tensor<Double>
        }
        let finalWeights = initial.enumerated().map { Support.random($0.element.shape, seed: 80 + UInt64($0.offset)) as Tensor<Double> }
        let outputShape = stack.returnsSequences ? (stack.batchFirst ? [b, t, stack.outputSize] : [t, b, stack.outputSize]) : [b, stack.outputSize]
        let outputWeights: Tensor<Double> = Support.random(outputShape, seed: 61)
        func loss(_ stack: StackedRecurrent<L>, _ input: Tensor<Double>, _ initial: [Tensor<Double>]) -> Double {
            var context = ForwardContext(mode: .training, seed: seed)
            let (output, finals, _) = stack.forward(input, initialStates: makeStates(initial), context: &context)
            return Support.weightedSum(output, outputWeights)
                + zip(stateTensors(finals), finalWeights).reduce(0) { $0 + Support.weightedSum($1.0, $1.1) }
        }
        var context = ForwardContext(mode: .training, seed: seed)
        let (_, _, cache) = stack.forward(input, initialStates: makeStates(initial), context: &context)
        var gradients = stack.parameters.zerosLike()
        var backwardContext = SequenceBackwardContext(recordsGradientFlow: true)
        let (inputGradient, stateGradients) = stack.backward(
            outputWeights, finalStateGradients: makeStates(finalWeights), cache: cache, gradients: &gradients, context: &backwardContext)
        let profiles = backwardContext.gradientFlow
        #expect(profiles.count == stack.layers.count && profiles.allSatisfy { $0.count == t })

        let numericInput = Support.numericalGradient(at: input) { loss(stack, $0, initial) }
        let inputError = Support.relativeError(inputGradient, numericInput)
        #expect(inputError <= 1e-6, "\(label): ∂L/∂x relative error \(inputError)")
        let analyticStates = stateTensors(stateGradients)
        for index in initial.indices {
            let numeric = Support.numericalGradient(at: initial[index]) { perturbed in
                var replaced = initial
                replaced[index] = perturbed
                return loss(stack, input, replaced)
            }
            let error = Support.relativeError(analyticStates[index], numeric)
            #expect(error <= 1e-6, "\(label): ∂L/∂s₀[\(index)] relative error \(error)")
        }
        Support.checkParameterGradients(stack, analytic: gradients, label: label) { loss($0, input, initial) }
    }

    @Test(arguments: [true, false])
    func stackedLSTM(fused: Bool) {
        let cells = [LSTMCell<Double>(inputSize: 3, hiddenSize: 4, seed: 1), LSTMCell<Double>(inputSize: 4, hiddenSize: 2, seed: 2)]
        for returnsSequences in [true, false] {
            let stack = StackedRecurrent(cells: cells, returnsSequences: returnsSequences, usesFusedPath: fused)
            #expect(stack.parameters.keys.first == "layer0.weightIH" && stack.parameters.keys.last == "layer1.biasHH")
            checkStack(
                stack, label: "stacked LSTM sequences \(returnsSequences)",
                stateTensors: { $0.flatMap(\.stateTensors) },
                makeStates: { [LSTMState(hidden: $0[0], cell: $0[1]), LSTMState(hidden: $0[2], cell: $0[3])] })
        }
    }

    @Test func stackedGRUWithDropoutAndBatchFirst() {
        let cells = [GRUCell<Double>(inputSize: 3, hiddenSize: 4, seed: 3), GRUCell<Double>(inputSize: 4, hiddenSize: 4, seed: 4),
                     GRUCell<Double>(inputSize: 4, hiddenSize: 3, seed: 5)]
        // The masks depend only on the context's seed, so every loss evaluation sees the same ones.
        checkStack(
            StackedRecurrent(cells: cells, dropoutRate: 0.3, batchFirst: true), label: "stacked GRU dropout", seed: 9,
            stateTensors: { $0 }, makeStates: { $0 })
    }

    @Test func stackedBidirectionalRNN() {
        let layers = [
            Bidirectional(forward: RNNCell<Double>(inputSize: 3, hiddenSize: 4, seed: 6), backward: RNNCell<Double>(inputSize: 3, hiddenSize: 4, seed: 7)),
            Bidirectional(forward: RNNCell<Double>(inputSize: 8, hiddenSize: 2, seed: 8), backward: RNNCell<Double>(inputSize: 8, hiddenSize: 2, seed: 9)),
        ]
        let stack = StackedRecurrent(layers)
        #expect(stack.parameters.keys.contains("layer1.backward.weightHH"))
        checkStack(
            stack, label: "stacked bidirectional RNN",
            stateTensors: { $0.flatMap { [$0.forward, $0.backward] } },
            makeStates: { [BidirectionalState(forward: $0[0], backward: $0[1]), BidirectionalState(forward: $0[2], backward: $0[3])] })
    }

    /// Only the last output has a gradient: the top Bidirectional layer takes it through the
    /// protocol's default (zero-padded) `backwardSequence(lastOutputGradient:…)`.
    @Test func stackedBidirectionalLastOutputOnly() {
        let layers = [
            Bidirectional(forward: GRUCell<Double>(inputSize: 3, hiddenSize: 2, seed: 12), backward: GRUCell<Double>(inputSize: 3, hiddenSize: 2, seed: 13)),
            Bidirectional(forward: GRUCell<Double>(inputSize: 4, hiddenSize: 3, seed: 14), backward: GRUCell<Double>(inputSize: 4, hiddenSize: 3, seed: 15)),
        ]
        checkStack(
            StackedRecurrent(layers, returnsSequences: false), label: "stacked bidirectional GRU, last output",
            stateTensors: { $0.flatMap { [$0.forward, $0.backward] } },
            makeStates: { [BidirectionalState(forward: $0[0], backward: $0[1]), BidirectionalState(forward: $0[2], backward: $0[3])] })
    }

    @Test(arguments: [true, false])
    func bidirectionalLSTMLayer(batchFirst: Bool) {
        var layer = Bidirectional(
            forward: LSTMCell<Double>(inputSize: 3, hiddenSize: 4, seed: 10), backward: LSTMCell<Double>(inputSize: 3, hiddenSize: 4, seed: 11),
            batchFirst: batchFirst)
        let input: Tensor<Double> = Support.random(batchFirst ? [3, 5, 3] : [5, 3, 3], seed: 62)
        let weights: Tensor<Double> = Support.random(batchFirst ? [3, 5, 8] : [5, 3, 8], seed: 63)
        var context = ForwardContext(mode: .training)
        let (output, cache) = layer.forward(input, context: &context)
        #expect(output.shape == weights.shape)
        // The backward direction's last step reads t = 0, so its final hidden state is output[0]'s second half.
        let first = batchFirst ? output.swappingAxes(0, 1)[0] : output[0]
        #expect(cache.finalState.backward.hidden == first.split(count: 2, alongAxis: 1)[1])
        var gradients = layer.parameters.zerosLike()
        let inputGradient = layer.backward(weights, cache: cache, gradients: &gradients)
        let numeric = Support.numericalGradient(at: input) { Support.weightedSum(layer($0), weights) }
        #expect(Support.relativeError(inputGradient, numeric) <= 1e-6)
        Support.checkParameterGradients(layer, analytic: gradients, label: "bidirectional LSTM") { Support.weightedSum($0(input), weights) }
    }

    @Test func dropoutIsOffInInference() {
        let cells = [GRUCell<Float>(inputSize: 3, hiddenSize: 4, seed: 3), GRUCell<Float>(inputSize: 4, hiddenSize: 4, seed: 4)]
        let input: Tensor<Float> = Support.random([4, 2, 3], seed: 64)
        let withDropout = StackedRecurrent(cells: cells, dropoutRate: 0.5)
        let without = StackedRecurrent(cells: cells)
        #expect(withDropout(input) == without(input))
        var context = ForwardContext(mode: .training, seed: 1)
        #expect(withDropout.forward(input, initialStates: nil, context: &context).output != without(input))
    }
}
