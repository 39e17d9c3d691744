import Testing
import KeelLayers

/// The fused path against the step-by-step path, truncated BPTT, state carrying and the
/// gradient-flow profile.
@Suite struct RecurrentPathTests {
    typealias Support = RecurrentTestSupport

    /// Runs forward and backward with all outputs and a final-state gradient; returns everything.
    func run<C: Cell>(
        _ layer: Recurrent<C>, input: Tensor<C.Scalar>, outputGradient: Tensor<C.Scalar>, truncationDepth: Int? = nil
    ) -> (output: Tensor<C.Scalar>, final: C.State, inputGradient: Tensor<C.Scalar>, initial: C.State,
          gradients: ParameterSet<C.Scalar>, profile: [Double]) {
        var context = ForwardContext(mode: .training)
        let (output, final, cache) = layer.forward(input, initialState: nil, context: &context)
        var gradients = layer.parameters.zerosLike()
        var backwardContext = SequenceBackwardContext(truncationDepth: truncationDepth, recordsGradientFlow: true)
        let (inputGradient, initial) = layer.backward(
            outputGradient, finalStateGradient: nil, cache: cache, gradients: &gradients,
            context: &backwardContext)
        return (output, final, inputGradient, initial, gradients, backwardContext.gradientFlow[0])
    }

    func compareFusedWithSteps<C: GatedRecurrentCell>(_ cell: C, tolerance: Double, label: String) {
        let input: Tensor<C.Scalar> = Support.random([7, 3, cell.inputSize], seed: 50)
        let outputGradient: Tensor<C.Scalar> = Support.random([7, 3, cell.hiddenSize], seed: 51)
        let fused = run(Recurrent(cell: cell, usesFusedPath: true), input: input, outputGradient: outputGradient)
        let steps = run(Recurrent(cell: cell, usesFusedPath: false), input: input, outputGradient: outputGradient)
        #expect(Support.relativeError(fused.output, steps.output) <= tolerance, "\(label) outputs")
        #expect(Support.relativeError(fused.inputGradient, steps.inputGradient) <= tolerance, "\(label) ∂L/∂x")
        for (a, b) in zip(fused.final.stateTensors, steps.final.stateTensors) {
            #expect(Support.relativeError(a, b) <= tolerance, "\(label) final state")
        }
        for (a, b) in zip(fused.initial.stateTensors, steps.initial.stateTensors) {
            #expect(Support.relativeError(a, b) <= tolerance, "\(label) ∂L/∂s₀")
        }
        #expect(fused.gradients.keys == steps.gradients.keys)
        for index in 0..<fused.gradients.count {
            let error = Support.relativeError(fused.gradients[index], steps.gradients[index])
            #expect(error <= tolerance, "\(label) ∂L/∂\(fused.gradients.keys[index]): \(error)")
        }
        #expect(fused.profile.count == 7 && steps.profile.count == 7)
        for (a, b) in zip(fused.profile, steps.profile) { #expect(abs(a - b) <= tolerance * max(1, abs(b)), "\(label) profile") }
    }

    @Test func fusedPathMatchesStepByStepInDouble() {
        compareFusedWithSteps(RNNCell<Double>(inputSize: 5, hiddenSize: 6, seed: 1), tolerance: 1e-12, label: "RNN")
        compareFusedWithSteps(RNNCell<Double>(inputSize: 5, hiddenSize: 6, nonlinearity: .relu, seed: 1), tolerance: 1e-12, label: "RNN relu")
        compareFusedWithSteps(LSTMCell<Double>(inputSize: 5, hiddenSize: 6, seed: 2), tolerance: 1e-12, label: "LSTM")
        compareFusedWithSteps(GRUCell<Double>(inputSize: 5, hiddenSize: 6, seed: 3), tolerance: 1e-12, label: "GRU")
    }

    @Test func fusedPathMatchesStepByStepInFloat() {
        compareFusedWithSteps(RNNCell<Float>(inputSize: 5, hiddenSize: 6, seed: 1), tolerance: 1e-5, label: "RNN")
        compareFusedWithSteps(LSTMCell<Float>(inputSize: 5, hiddenSize: 6, seed: 2), tolerance: 1e-5, label: "LSTM")
        compareFusedWithSteps(GRUCell<Float>(inputSize: 5, hiddenSize: 6, seed: 3), tolerance: 1e-5, label: "GRU")
    }

    @Test(arguments: [true, false])
    func truncationDepthOfAtLeastTIsFullBPTT(fused: Bool) {
        let layer = Recurrent(cell: LSTMCell<Double>(inputSize: 3, hiddenSize: 4, seed: 4), usesFusedPath: fused)
        let input: Tensor<Double> = Support.random([6, 2, 3], seed: 52)
        let outputGradient: Tensor<Double> = Support.random([6, 2, 4], seed: 53)
        let full = run(layer, input: input, outputGradient: outputGradient)
        for depth in [6, 7, 100] {
            let truncated = run(layer, input: input, outputGradient: outputGradient, truncationDepth: depth)
            #expect(truncated.inputGradient == full.inputGradient)
            #expect(truncated.gradients == full.gradients)
            #expect(truncated.initial.stateTensors == full.initial.stateTensors)
            #expect(truncated.profile == full.profile)
        }
    }

    /// Backpropagating k2 < T steps equals running the last k2 steps as their own window from the
    /// carried (constant) state.
    @Test(arguments: [true, false])
    func truncationDepthStopsTheGradient(fused: Bool) {
        let layer = Recurrent(cell: GRUCell<Double>(inputSize: 3, hiddenSize: 4, seed: 5), usesFusedPath: fused)
        let input: Tensor<Double> = Support.random([6, 2, 3], seed: 54)
        let outputGradient: Tensor<Double> = Support.random([6, 2, 4], seed: 55)
        let truncated = run(layer, input: input, outputGradient: outputGradient, truncationDepth: 2)
        #expect(truncated.inputGradient.slice(0..<4) == .zeros([4, 2, 3]))
        #expect(truncated.initial == .zeros([2, 4]))
        #expect(truncated.profile[0..<4].allSatisfy { $0 == 0 })

        var context = ForwardContext(mode: .training)
        let (_, carried, _) = layer.forward(input.slice(0..<4), initialState: nil, context: &context)
        let (_, _, cache) = layer.forward(input.slice(4..<6), initialState: carried, context: &context)
        var gradients = layer.parameters.zerosLike()
        var backwardContext = SequenceBackwardContext(recordsGradientFlow: true)
        let (windowInputGradient, _) = layer.backward(
            outputGradient.slice(4..<6), finalStateGradient: nil, cache: cache, gradients: &gradients, context: &backwardContext)
        #expect(Support.relativeError(truncated.inputGradient.slice(4..<6), windowInputGradient) <= 1e-12)
        for index in 0..<gradients.count {
            #expect(Support.relativeError(truncated.gradients[index], gradients[index]) <= 1e-12)
        }
        for (a, b) in zip(truncated.profile[4...], backwardContext.gradientFlow[0]) { #expect(abs(a - b) <= 1e-12) }
    }

    /// Windows of k1 steps, each started from the previous window's final state, reproduce the
    /// unwindowed outputs and final state.
    @Test(arguments: [true, false])
    func stateCarriedAcrossWindowsEqualsUnwindowedState(fused: Bool) {
        let layer = Recurrent(cell: LSTMCell<Double>(inputSize: 3, hiddenSize: 4, seed: 6), usesFusedPath: fused)
        let input: Tensor<Double> = Support.random([9, 2, 3], seed: 56)
        var context = ForwardContext(mode: .training)
        let (outputs, final, _) = layer.forward(input, initialState: nil, context: &context)
        var state: LSTMState<Double>? = nil
        var windows: [Tensor<Double>] = []
        for start in stride(from: 0, to: 9, by: 4) {
            let (output, next, cache) = layer.forward(input.slice(start..<min(start + 4, 9)), initialState: state, context: &context)
            #expect(cache.finalState.stateTensors == next.stateTensors)
            windows.append(output)
            state = next
        }
        #expect(Support.relativeError(Tensor.concatenate(windows), outputs) <= 1e-14)
        #expect(Support.relativeError(state!.hidden, final.hidden) <= 1e-14)
        #expect(Support.relativeError(state!.cell, final.cell) <= 1e-14)
    }

    /// ‖∂L/∂hₜ‖ is the output gradient at t plus, by central differences, the gradient of the
    /// loss of the remaining steps with respect to hₜ as their initial state.
    @Test(arguments: [true, false])
    func gradientFlowProfileMatchesFiniteDifferences(fused: Bool) {
        let layer = Recurrent(cell: RNNCell<Double>(inputSize: 2, hiddenSize: 3, seed: 7), usesFusedPath: fused)
        let t = 5
        let input: Tensor<Double> = Support.random([t, 2, 2], seed: 57)
        let outputGradient: Tensor<Double> = Support.random([t, 2, 3], seed: 58)
        let result = run(layer, input: input, outputGradient: outputGradient)
        #expect(result.profile.count == t)
        for step in 0..<t {
            var context = ForwardContext(mode: .training)
            let prefix = layer.forward(input.slice(0..<(step + 1)), initialState: nil, context: &context).finalState
            var expected = outputGradient[step]
            if step + 1 < t {
                let suffixInput = input.slice((step + 1)..<t), suffixWeights = outputGradient.slice((step + 1)..<t)
                expected += Support.numericalGradient(at: prefix) { hidden in
                    var context = ForwardContext(mode: .training)
                    return Support.weightedSum(layer.forward(suffixInput, initialState: hidden, context: &context).output, suffixWeights)
                }
            }
            let norm = expected.sumOfSquares().squareRoot()
            #expect(abs(result.profile[step] - norm) <= 1e-7 * norm, "step \(step): \(result.profile[step]) vs \(norm)")
        }
    }
}
