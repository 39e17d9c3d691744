import Testing
import KeelLayers

@Suite struct LayerBehaviorTests {
    @Test func sequentialKeysAndBuffers() throws {
        var generator = Xoshiro256StarStar(seed: 1)
        var model = Sequential {
            Dense<Float>(inputSize: 3, outputSize: 4, generator: &generator)
            BatchNorm<Float>(featureCount: 4)
            Tanh<Float>()
            named("head", Dense<Float>(inputSize: 4, outputSize: 2, useBias: false, generator: &generator))
        }
        #expect(model.layerCount == 4)
        #expect(model.parameters.keys.map(\.rawValue) == ["0.weight", "0.bias", "1.scale", "1.offset", "head.weight"])
        #expect(model.buffers.keys.map(\.rawValue) == ["1.runningMean", "1.runningVariance"])

        var context = ForwardContext(mode: .training)
        let input = Tensor<Float>(randomNormal: [5, 3], using: &generator)
        let (output, cache) = model.forward(input, context: &context)
        #expect(output.shape == [5, 2])
        var gradients = model.parameters.zerosLike()
        let inputGradient = model.backward(.ones([5, 2]), cache: cache, gradients: &gradients)
        #expect(inputGradient.shape == [5, 3])
        #expect(gradients.hasSameStructure(as: model.parameters))

        // Buffers round-trip (what a checkpoint does) and are rejected when malformed.
        let saved = model.buffers
        _ = model.forward(input * 3, context: &context)
        #expect(model.buffers != saved)
        try model.loadBuffers(saved)
        #expect(model.buffers == saved)
        #expect(throws: ParameterLoadingError.self) { try model.loadBuffers(ParameterSet<Float>()) }
    }

    @Test func residualKeysAndIdentityPath() {
        var generator = Xoshiro256StarStar(seed: 2)
        let zeroBranch = Dense<Double>(weight: .zeros([3, 3]), bias: .zeros([3]))
        let block = Residual(zeroBranch)
        let input = randomTensor([2, 3], seed: 3)
        #expect(block(input) == input)
        let projected = Residual(
            Dense<Double>(inputSize: 3, outputSize: 5, generator: &generator),
            projection: Dense<Double>(inputSize: 3, outputSize: 5, useBias: false, generator: &generator))
        #expect(projected.parameters.keys.map(\.rawValue) == ["inner.weight", "inner.bias", "projection.weight"])
        #expect(projected(input).shape == [2, 5])
    }

    @Test func denseFlattensLeadingAxes() {
        let dense = Dense<Double>(weight: Tensor(shape: [2, 3], scalars: [1, 0, 0, 0, 1, 1]), bias: Tensor([10, 20]))
        let input = Tensor<Double>(shape: [2, 1, 3], scalars: [1, 2, 3, 4, 5, 6])
        let output = dense(input)
        #expect(output.shape == [2, 1, 2])
        #expect(output.scalars == [11, 25, 14, 31])
    }

    @Test func dropoutIsSeededInvertedAndOffInInference() {
        let layer = Dropout<Float>(rate: 0.25)
        let input = Tensor<Float>.ones([100, 100])
        var first = ForwardContext(mode: .training, seed: 3), second = ForwardContext(mode: .training, seed: 3)
        let a = layer.forward(input, context: &first).output
        let b = layer.forward(input, context: &second).output
        #expect(a == b)
        let kept = a.scalars.filter { $0 != 0 }
        #expect(Set(kept) == [Float(1 / 0.75)])
        #expect(abs(Double(kept.count) / 10_000 - 0.75) < 0.02)
        #expect(layer(input) == input)
    }

    @Test func embeddingLooksUpAndScattersRows() {
        let table = Tensor<Double>(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        let layer = Embedding(weight: table)
        let indices = Tensor<Double>(shape: [2, 2], scalars: [2, 0, 2, 1])
        var context = ForwardContext(mode: .training)
        let (output, cache) = layer.forward(indices, context: &context)
        #expect(output.shape == [2, 2, 2])
        #expect(output.scalars == [5, 6, 1, 2, 5, 6, 3, 4])
        var gradients = layer.parameters.zerosLike()
        _ = layer.backward(.ones([2, 2, 2]), cache: cache, gradients: &gradients)
        #expect(gradients["weight"].scalars == [1, 1, 1, 1, 2, 2])
    }

    @Test func crossEntropyIgnoresEveryRowAsPyTorch() {
        let loss = SoftmaxCrossEntropy<Double>(ignoreIndex: -100)
        let (value, gradient) = loss.valueAndGradient(predictions: randomTensor([2, 3], seed: 1), targets: Tensor([-100, -100]))
        #expect(value.isNaN)
        #expect(gradient == .zeros([2, 3]))
    }

    @Test func spectralNormEstimatesTheLargestSingularValue() {
        var generator = Xoshiro256StarStar(seed: 8)
        // Singular values 3, 2, 0.5 (a diagonal matrix padded with a zero column).
        let weight = Tensor<Double>(shape: [3, 4], scalars: [0, 2, 0, 0, 3, 0, 0, 0, 0, 0, -0.5, 0])
        var layer = SpectralNormalized(Dense<Double>(weight: weight), generator: &generator)
        var context = ForwardContext(mode: .training)
        for _ in 0..<5 { _ = layer.forward(randomTensor([2, 4], seed: 9), context: &context) }
        #expect(abs(layer.sigma - 3) < 1e-9)
        #expect(layer.buffers.keys.map(\.rawValue) == ["spectralNorm.u", "spectralNorm.v"])
        #expect(layer.layer.weight == weight, "the raw weight stays the parameter")
        let input = Tensor<Double>(shape: [1, 4], scalars: [1, 0, 0, 0])
        #expect(abs(layer(input).scalars[1] - 1) < 1e-9, "the normalized weight has spectral norm 1")

        // The reusable core: normalize and backward on a bare weight (what a recurrent cell uses).
        var normalizer = SpectralNormalizer(for: weight, generator: &generator)
        let (normalized, _) = normalizer.normalize(weight, training: true)
        #expect(abs(normalized.abs().max() - 1) < 1e-6)
    }
}
