import Testing
import KeelLayers

/// The gradient checker must catch a wrong backward pass (a checker that cannot fail is a defect).
@Suite struct GradientCheckerTests {
    /// Tanh with the derivative of the wrong function (1 − y instead of 1 − y²).
    struct BrokenTanh: Layer {
        func visitParameters(_ visitor: (ParameterKey, Tensor<Double>) throws -> Void) rethrows {}
        mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Double>) throws -> Void) rethrows {}
        func forward(_ input: Tensor<Double>, context: inout ForwardContext) -> (output: Tensor<Double>, cache: Tensor<Double>) {
            let y = input.tanh()
            return (y, y)
        }
        func backward(_ outputGradient: Tensor<Double>, cache: Tensor<Double>, gradients: inout ParameterSet<Double>) -> Tensor<Double> {
            outputGradient * (1 - cache)
        }
    }

    @Test func catchesAWrongInputGradient() {
        withKnownIssue("the checker must flag a wrong derivative") {
            checkGradients(BrokenTanh(), input: randomTensor([3, 4], seed: 1))
        }
    }

    @Test func catchesAWrongParameterGradient() {
        // Dense whose weight gradient is doubled by accumulating twice.
        var generator = Xoshiro256StarStar(seed: 3)
        let dense = Dense<Double>(inputSize: 3, outputSize: 2, generator: &generator)
        let input = randomTensor([4, 3], seed: 2)
        let copy = dense
        var context = ForwardContext(mode: .training)
        let (output, cache) = copy.forward(input, context: &context)
        var gradients = dense.parameters.zerosLike()
        _ = dense.backward(output, cache: cache, gradients: &gradients)
        _ = dense.backward(output, cache: cache, gradients: &gradients)
        var single = dense.parameters.zerosLike()
        _ = dense.backward(output, cache: cache, gradients: &single)
        #expect(relativeError(gradients["weight"].scalars, single["weight"].scalars) > 0.1)
    }
}
