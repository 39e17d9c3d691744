import Testing
import KeelLayers

/// `computesInputGradient = false` skips ∂L/∂input only: every parameter gradient is unchanged.
@Suite struct RecurrentInputGradientTests {
    func gradients<C: Cell>(_ layer: Recurrent<C>, input: Tensor<Double>) -> (input: Tensor<Double>, parameters: ParameterSet<Double>)
    where C.Scalar == Double {
        var copy = layer
        var context = ForwardContext(mode: .training)
        let (output, cache) = copy.forward(input, context: &context)
        var parameters = layer.parameters.zerosLike()
        let inputGradient = layer.backward(Tensor.ones(output.shape), cache: cache, gradients: &parameters)
        return (inputGradient, parameters)
    }

    @Test(arguments: [true, false])
    func skippingTheInputGradientLeavesParameterGradientsAlone(fused: Bool) {
        var generator = Xoshiro256StarStar(seed: 12)
        let input = Tensor<Double>(randomNormal: [5, 3, 4], using: &generator)
        for layer in [
            Recurrent(cell: LSTMCell<Double>(inputSize: 4, hiddenSize: 6, seed: 1), usesFusedPath: fused),
        ] {
            var skipping = layer
            skipping.computesInputGradient = false
            let full = gradients(layer, input: input)
            let skipped = gradients(skipping, input: input)
            #expect(skipped.parameters == full.parameters)
            #expect(skipped.input.shape == input.shape && skipped.input.l1Norm() == 0)
            #expect(full.input.l1Norm() > 0)
        }
        var gru = Recurrent(cell: GRUCell<Double>(inputSize: 4, hiddenSize: 5, seed: 2), returnsSequences: false, usesFusedPath: fused)
        let full = gradients(gru, input: input)
        gru.computesInputGradient = false
        let skipped = gradients(gru, input: input)
        #expect(skipped.parameters == full.parameters)
        #expect(skipped.input.l1Norm() == 0)
    }

    @Test func stackedAndBidirectionalSkipOnlyTheFirstLayer() {
        var generator = Xoshiro256StarStar(seed: 13)
        let input = Tensor<Double>(randomNormal: [4, 2, 3], using: &generator)
        var stack = StackedRecurrent(cells: [
            LSTMCell<Double>(inputSize: 3, hiddenSize: 4, seed: 3), LSTMCell<Double>(inputSize: 4, hiddenSize: 4, seed: 4),
        ])
        func run(_ model: StackedRecurrent<Recurrent<LSTMCell<Double>>>) -> ParameterSet<Double> {
            var copy = model
            var context = ForwardContext(mode: .training)
            let (output, cache) = copy.forward(input, context: &context)
            var parameters = model.parameters.zerosLike()
            _ = model.backward(Tensor.ones(output.shape), cache: cache, gradients: &parameters)
            return parameters
        }
        let full = run(stack)
        stack.computesInputGradient = false
        #expect(!stack.layers[0].computesInputGradient && stack.layers[1].computesInputGradient)
        #expect(run(stack) == full)

        var both = Bidirectional(forward: GRUCell<Double>(inputSize: 3, hiddenSize: 2, seed: 5), backward: GRUCell<Double>(inputSize: 3, hiddenSize: 2, seed: 6))
        both.computesInputGradient = false
        #expect(!both.forwardLayer.computesInputGradient && !both.backwardLayer.computesInputGradient)
    }
}
