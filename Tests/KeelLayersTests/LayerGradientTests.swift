import Testing
import KeelLayers

/// Central finite differences in Double for every layer and option.
@Suite struct LayerGradientTests {
    static func dense(_ inputSize: Int, _ outputSize: Int, bias: Bool = true, seed: UInt64 = 5) -> Dense<Double> {
        var generator = Xoshiro256StarStar(seed: seed)
        return Dense(inputSize: inputSize, outputSize: outputSize, useBias: bias, biasInitializer: Normal(), generator: &generator)
    }

    @Test(arguments: [true, false]) func dense(bias: Bool) {
        checkGradients(Self.dense(4, 3, bias: bias), input: randomTensor([5, 4], seed: 1))
        checkGradients(Self.dense(4, 3, bias: bias), input: randomTensor([2, 3, 4], seed: 2))
    }

    @Test func activations() {
        let input = randomTensor([4, 5], seed: 3, standardDeviation: 1.5)
        checkGradients(Tanh<Double>(), input: input)
        checkGradients(Sigmoid<Double>(), input: input)
        checkGradients(ReLU<Double>(), input: input)
        checkGradients(LeakyReLU<Double>(negativeSlope: 0.1), input: input)
        checkGradients(GELU<Double>(), input: input)
        checkGradients(GELU<Double>(approximation: .tanh), input: input)
        checkGradients(Identity<Double>(), input: input)
    }

    static func batchNorm(features: Int, affine: Bool) -> BatchNorm<Double> {
        var layer = BatchNorm<Double>(featureCount: features, affine: affine)
        if affine {
            layer.scale = randomTensor([features], seed: 21, mean: 1, standardDeviation: 0.3)
            layer.offset = randomTensor([features], seed: 22)
        }
        layer.runningMean = randomTensor([features], seed: 23)
        layer.runningVariance = randomTensor([features], seed: 24, mean: 1, standardDeviation: 0.2).abs()
        return layer
    }

    @Test(arguments: [true, false]) func batchNormTraining(affine: Bool) {
        checkGradients(Self.batchNorm(features: 3, affine: affine), input: randomTensor([5, 3], seed: 4, mean: 1, standardDeviation: 2))
        checkGradients(Self.batchNorm(features: 3, affine: affine), input: randomTensor([3, 2, 3], seed: 5, mean: -1))
    }

    @Test(arguments: [true, false]) func batchNormInference(affine: Bool) {
        checkGradients(Self.batchNorm(features: 3, affine: affine), input: randomTensor([5, 3], seed: 6), mode: .inference)
        checkGradients(Self.batchNorm(features: 3, affine: affine), input: randomTensor([3, 2, 3], seed: 7), mode: .inference)
    }

    @Test(arguments: [true, false]) func layerNorm(affine: Bool) {
        var layer = LayerNorm<Double>(featureCount: 5, affine: affine)
        if affine {
            layer.scale = randomTensor([5], seed: 31, mean: 1, standardDeviation: 0.3)
            layer.offset = randomTensor([5], seed: 32)
        }
        checkGradients(layer, input: randomTensor([3, 5], seed: 8, standardDeviation: 2))
        checkGradients(layer, input: randomTensor([2, 2, 5], seed: 9))
    }

    @Test func dropoutWithAFixedMask() {
        checkGradients(Dropout<Double>(rate: 0.4), input: randomTensor([4, 6], seed: 10), seed: 99)
        checkGradients(Dropout<Double>(rate: 0.4), input: randomTensor([4, 6], seed: 10), mode: .inference)
    }

    @Test func embeddingWeight() {
        var generator = Xoshiro256StarStar(seed: 12)
        let layer = Embedding<Double>(vocabularySize: 5, dimension: 3, generator: &generator)
        let indices = Tensor<Double>(shape: [2, 3], scalars: [0, 4, 2, 2, 1, 4])
        checkGradients(layer, input: indices, checkInput: false)
        let copy = layer
        var context = ForwardContext(mode: .training)
        let (output, cache) = copy.forward(indices, context: &context)
        var gradients = layer.parameters.zerosLike()
        #expect(layer.backward(output, cache: cache, gradients: &gradients) == .zeros([2, 3]))
    }

    @Test(arguments: [false, true]) func residual(projection: Bool) {
        if projection {
            let block = Residual(Sequential { Self.dense(4, 3, seed: 1); Tanh<Double>() }, projection: Self.dense(4, 3, seed: 2))
            checkGradients(block, input: randomTensor([3, 4], seed: 13))
        } else {
            let block = Residual { Self.dense(4, 4, seed: 1); Tanh<Double>(); Self.dense(4, 4, seed: 3) }
            checkGradients(block, input: randomTensor([3, 4], seed: 13))
        }
    }

    @Test func sequentialOfEveryKind() {
        let model = Sequential {
            Self.dense(4, 6, seed: 1)
            LayerNorm<Double>(featureCount: 6)
            GELU<Double>()
            Self.batchNorm(features: 6, affine: true)
            Dropout<Double>(rate: 0.2)
            named("head", Self.dense(6, 2, bias: false, seed: 2))
            Sigmoid<Double>()
        }
        checkGradients(model, input: randomTensor([5, 4], seed: 14))
    }

    @Test func spectralNormalizedDense() {
        var generator = Xoshiro256StarStar(seed: 15)
        var layer = SpectralNormalized(Self.dense(4, 3, seed: 4), generator: &generator)
        var context = ForwardContext(mode: .training)
        for _ in 0..<3 { _ = layer.forward(randomTensor([2, 4], seed: 16), context: &context) }
        // u and v are constants of the pass (as in PyTorch), so the check runs in inference mode.
        checkGradients(layer, input: randomTensor([5, 4], seed: 17), mode: .inference)
        var rectangular = SpectralNormalized(Self.dense(2, 5, bias: false, seed: 6), powerIterations: 3, generator: &generator)
        _ = rectangular.forward(randomTensor([2, 2], seed: 18), context: &context)
        checkGradients(rectangular, input: randomTensor([3, 2], seed: 19), mode: .inference)
    }

    @Test func losses() {
        let logits = randomTensor([4, 5], seed: 40, standardDeviation: 2)
        let classes = Tensor<Double>([0, 4, 2, 1])
        checkLossGradient(SoftmaxCrossEntropy<Double>(), predictions: logits, targets: classes)
        checkLossGradient(SoftmaxCrossEntropy<Double>(reduction: .sum), predictions: logits, targets: classes)
        let sequenceLogits = randomTensor([3, 2, 4], seed: 41)
        let sequenceTargets = Tensor<Double>(shape: [3, 2], scalars: [0, -1, 3, 2, -1, 1])
        checkLossGradient(SoftmaxCrossEntropy<Double>(ignoreIndex: -1), predictions: sequenceLogits, targets: sequenceTargets)
        let probabilities = randomTensor([3, 4], seed: 42).sigmoid()
        checkLossGradient(BinaryCrossEntropy<Double>(), predictions: randomTensor([3, 4], seed: 43, standardDeviation: 3), targets: probabilities)
        checkLossGradient(BinaryCrossEntropy<Double>(reduction: .sum), predictions: randomTensor([3, 4], seed: 43), targets: probabilities)
        checkLossGradient(MeanSquaredError<Double>(), predictions: randomTensor([3, 4], seed: 44), targets: probabilities)
        checkLossGradient(MeanSquaredError<Double>(reduction: .sum), predictions: randomTensor([2, 3, 2], seed: 45), targets: randomTensor([2, 3, 2], seed: 46))
    }
}
