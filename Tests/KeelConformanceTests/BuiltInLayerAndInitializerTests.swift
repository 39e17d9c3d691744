import Foundation
import KeelConformance
import Testing

/// Every built-in cell keeps every cell law.
@Suite struct BuiltInCellTests {
    static func cell<C: Cell>(_ cell: C, _ name: String) -> ComponentCase<CellLaw>
    where C.Scalar == Double, C.State: RecurrentHiddenState<Double> {
        ComponentCase(description: name) { try CellConformance(cell, name: name).check($0) }
    }

    static let cells: [ComponentCase<CellLaw>] = [
        cell(RNNCell<Double>(inputSize: 3, hiddenSize: 4, seed: 1), "RNNCell(tanh)"),
        cell(RNNCell<Double>(inputSize: 3, hiddenSize: 4, nonlinearity: .relu, seed: 2), "RNNCell(relu)"),
        cell(LSTMCell<Double>(inputSize: 3, hiddenSize: 4, seed: 3), "LSTMCell"),
        cell(GRUCell<Double>(inputSize: 3, hiddenSize: 4, seed: 4), "GRUCell"),
        cell(ReferenceTanhCell<Double>(inputSize: 3, hiddenSize: 4, seed: 5), "ReferenceTanhCell"),
    ]

    @Test(arguments: cells, CellLaw.allCases)
    func cellLaw(component: ComponentCase<CellLaw>, law: CellLaw) throws {
        try component.verify(law)
    }
}

/// Representative built-in layers keep every layer law.
@Suite struct BuiltInLayerTests {
    static func layer<L: Layer>(
        _ layer: L, _ name: String, inputShape: [Int], mode: ForwardContext.Mode = .training, checksInputGradient: Bool = true,
        makeInput: (@Sendable ([Int], inout Xoshiro256StarStar) -> Tensor<Double>)? = nil
    ) -> ComponentCase<LayerLaw> where L.Scalar == Double {
        ComponentCase(description: name) { law in
            var suite = LayerConformance(layer, name: name, inputShape: inputShape, mode: mode, checksInputGradient: checksInputGradient)
            if let makeInput { suite.makeInput = makeInput }
            try suite.check(law)
        }
    }

    static let layers: [ComponentCase<LayerLaw>] = {
        var generator = Xoshiro256StarStar(seed: 11)
        let dense = Dense<Double>(inputSize: 3, outputSize: 2, generator: &generator)
        let square = Dense<Double>(inputSize: 3, outputSize: 3, biasInitializer: Normal(), generator: &generator)
        let embedding = Embedding<Double>(vocabularySize: 5, dimension: 3, generator: &generator)
        return [
            layer(dense, "Dense", inputShape: [4, 3]),
            layer(Residual(square), "Residual(Dense)", inputShape: [4, 3]),
            layer(Sequential { square; Tanh<Double>(); Dense<Double>(inputSize: 3, outputSize: 2, generator: &generator) },
                  "Sequential(Dense, Tanh, Dense)", inputShape: [4, 3]),
            layer(Tanh<Double>(), "Tanh", inputShape: [4, 3]),
            layer(Sigmoid<Double>(), "Sigmoid", inputShape: [4, 3]),
            layer(GELU<Double>(), "GELU", inputShape: [4, 3]),
            layer(LeakyReLU<Double>(negativeSlope: 0.1), "LeakyReLU", inputShape: [4, 3]),
            layer(LayerNorm<Double>(featureCount: 3), "LayerNorm", inputShape: [4, 3]),
            layer(BatchNorm<Double>(featureCount: 3), "BatchNorm(training)", inputShape: [4, 3]),
            layer(BatchNorm<Double>(featureCount: 3), "BatchNorm(inference)", inputShape: [4, 3], mode: .inference),
            layer(Dropout<Double>(rate: 0.3), "Dropout(training)", inputShape: [4, 3]),
            layer(Recurrent(cell: LSTMCell<Double>(inputSize: 3, hiddenSize: 2, seed: 6)), "Recurrent(LSTMCell)", inputShape: [3, 2, 3]),
            layer(Recurrent(cell: GRUCell<Double>(inputSize: 3, hiddenSize: 2, seed: 7), returnsSequences: false, batchFirst: true),
                  "Recurrent(GRUCell, last, batch-first)", inputShape: [2, 3, 3]),
            layer(embedding, "Embedding", inputShape: [4], checksInputGradient: false) { shape, generator in
                Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Double(generator.next() % 5) })
            },
        ]
    }()

    @Test(arguments: layers, LayerLaw.allCases)
    func layerLaw(component: ComponentCase<LayerLaw>, law: LayerLaw) throws {
        try component.verify(law)
    }
}

/// Every built-in initializer keeps every initializer law against the formula its documentation
/// states.
@Suite struct BuiltInInitializerTests {
    static func initializer<I: Initializer>(
        _ initializer: I, _ name: String, isRandom: Bool = true, momentShape: [Int] = [256, 128],
        fanShapes: [[Int]] = [[128, 256], [16, 32, 3, 3]], shapes: [[Int]] = [[7], [4, 5], [2, 3, 4, 5]],
        varianceTolerance: Double? = nil, moments: (@Sendable ([Int]) -> InitializerMoments)?
    ) -> ComponentCase<InitializerLaw> {
        let suite = InitializerConformance(
            initializer, name: name, isRandom: isRandom, momentShape: momentShape, fanShapes: fanShapes, shapes: shapes,
            varianceTolerance: varianceTolerance, expectedMoments: moments)
        return ComponentCase(description: name, sweep: { seed in
            var seeded = suite
            seeded.seed = seed
            return seeded.results()
        }) { try suite.check($0) }
    }



    static func fans(_ shape: [Int]) -> (fanIn: Double, fanOut: Double) {
        let fans = Zeros.fans(of: shape)
        return (Double(fans.fanIn), Double(fans.fanOut))
    }

    /// σ²·(1 − 2kφ(k)/(2Φ(k) − 1)) for bounds ±kσ.
    static func truncatedVariance(_ k: Double) -> Double {
        let phi = exp(-k * k / 2) / (2 * Double.pi).squareRoot()
        let mass = erf(k / 2.squareRoot())
        return 1 - 2 * k * phi / mass
    }

    static let matrixShapes: [[Int]] = [[4, 5], [7, 7]]

    static let initializers: [ComponentCase<InitializerLaw>] = [
        initializer(Zeros(), "Zeros", isRandom: false) { _ in .init(mean: 0, variance: 0) },
        initializer(Ones(), "Ones", isRandom: false) { _ in .init(mean: 1, variance: 0) },
        initializer(Constant(0.25), "Constant", isRandom: false) { _ in .init(mean: 0.25, variance: 0) },
        initializer(Normal(mean: 0.5, standardDeviation: 2), "Normal") { _ in .init(mean: 0.5, variance: 4) },
        initializer(Uniform(lower: -1, upper: 3), "Uniform") { _ in .init(mean: 1, variance: 16.0 / 12) },
        initializer(TruncatedNormal(standardDeviation: 2), "TruncatedNormal") { _ in
            .init(mean: 0, variance: 4 * truncatedVariance(2))
        },
        initializer(GlorotUniform(), "GlorotUniform") { .init(mean: 0, variance: 2 / (fans($0).fanIn + fans($0).fanOut)) },
        initializer(GlorotNormal(gain: 2), "GlorotNormal(gain 2)") {
            .init(mean: 0, variance: 4 * 2 / (fans($0).fanIn + fans($0).fanOut))
        },
        initializer(HeNormal(), "HeNormal") { .init(mean: 0, variance: 2 / fans($0).fanIn) },
        initializer(HeNormal(mode: .fanOut, nonlinearity: .tanh), "HeNormal(fanOut, tanh)") {
            .init(mean: 0, variance: (25.0 / 9) / fans($0).fanOut)
        },
        initializer(HeUniform(), "HeUniform") { .init(mean: 0, variance: 2 / fans($0).fanIn) },
        initializer(LeCunNormal(), "LeCunNormal") { .init(mean: 0, variance: 1 / fans($0).fanIn) },
        initializer(LeCunUniform(), "LeCunUniform") { .init(mean: 0, variance: 1 / fans($0).fanIn) },
        // A semi-orthogonal [rows, columns] matrix has min(rows, columns) unit vectors: Σw² = gain²·min,
        // so the variance (about the mean 0) is gain²/max(rows, columns).
        initializer(Orthogonal(gain: 1.5), "Orthogonal(gain 1.5)", shapes: [[4, 5], [2, 3, 4, 5]]) { shape in
            let rows = Double(shape[0]), columns = Double(shape.dropFirst().reduce(1, *))
            return .init(mean: 0, variance: 2.25 / max(rows, columns))
        },
        initializer(
            Sparse(sparsity: 0.5, standardDeviation: 0.1), "Sparse(0.5)", fanShapes: [[128, 256]], shapes: matrixShapes,
            varianceTolerance: 0.08
        ) { shape in
            let zeros = (0.5 * Double(shape[0])).rounded(.up)
            return .init(mean: 0, variance: 0.01 * (1 - zeros / Double(shape[0])))
        },
        initializer(ScaledIdentity(gain: 0.5), "ScaledIdentity", isRandom: false, fanShapes: [[128, 256]], shapes: matrixShapes) { shape in
            let count = Double(shape.reduce(1, *)), diagonal = Double(min(shape[0], shape[1]))
            let mean = 0.5 * diagonal / count
            return .init(mean: mean, variance: 0.25 * diagonal / count - mean * mean)
        },
        // No closed form for the moments: only determinism and shapes.
        initializer(
            ScaledToSpectralRadius(0.9, base: GlorotUniform()), "ScaledToSpectralRadius(Glorot)", momentShape: [16, 16],
            fanShapes: [], shapes: [[5, 5], [9, 9]], moments: nil),
    ]

    @Test(arguments: initializers, InitializerLaw.allCases)
    func initializerLaw(component: ComponentCase<InitializerLaw>, law: InitializerLaw) throws {
        try component.verify(law)
    }
}
