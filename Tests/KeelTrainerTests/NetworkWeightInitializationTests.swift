import Testing
import KeelTrainer

/// `NetworkWeightInitialization.normal`: Pascanu et al.'s "basic tanh" initialization of a whole
/// network built from a specification.
@Suite struct NetworkWeightInitializationTests {
    /// Returns every parameter of the built network, in model order.
    struct Parameters: RecurrentNetworkBody {
        typealias Scalar = Float
        func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> [(key: String, values: [Float])]
        where L.Scalar == Float, L.State: Sendable {
            var parameters: [(key: String, values: [Float])] = []
            model.visitParameters { key, tensor in parameters.append((key.description, tensor.scalars)) }
            return parameters
        }
    }

    static func meanAndStandardDeviation(_ values: [Float]) -> (mean: Double, standardDeviation: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0.0) { $0 + Double($1) } / n
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        return (mean, variance.squareRoot())
    }

    @Test(arguments: [RecurrentCellKind.rnnTanh, .lstm])
    func everyWeightIsNormalWithTheGivenStandardDeviationAndEveryBiasIsZero(_ cell: RecurrentCellKind) throws {
        let sigma = 0.1
        let specification = RecurrentNetworkSpecification(
            cell: cell, inputSize: 40, hiddenSize: 300, layers: 2, outputSize: 50,
            weightInitialization: .normal(standardDeviation: sigma), seed: 3)
        let parameters = try specification.build(Parameters())
        let weights = parameters.filter { !$0.key.hasSuffix("bias") && !$0.key.contains(".bias") }
        let biases = parameters.filter { $0.key.hasSuffix("bias") || $0.key.contains(".bias") }
        // Layer weights (input and recurrent, both layers) and the head; biasIH, biasHH and the head's bias.
        #expect(weights.map(\.key) == [
            "encoder.layer0.weightIH", "encoder.layer0.weightHH", "encoder.layer1.weightIH", "encoder.layer1.weightHH", "head.weight",
        ])
        #expect(biases.count == 5)
        for bias in biases { #expect(bias.values.allSatisfy { $0 == 0 }, "\(bias.key) is not exactly zero") }
        for weight in weights {
            // The smallest tensor has 12,000 elements (the first layer's weightIH of the RNN):
            // the sample standard deviation is then within ~1.3% of σ with overwhelming probability.
            let (mean, standardDeviation) = Self.meanAndStandardDeviation(weight.values)
            #expect(abs(mean) < 0.005, "\(weight.key): mean \(mean)")
            #expect(abs(standardDeviation / sigma - 1) < 0.03, "\(weight.key): standard deviation \(standardDeviation)")
            // Gaussian, not uniform with the same σ: about 4.55% of the draws lie beyond 2σ (uniform: none).
            let tail = Double(weight.values.filter { abs(Double($0)) > 2 * sigma }.count) / Double(weight.values.count)
            #expect(abs(tail - 0.0455) < 0.01, "\(weight.key): share beyond 2σ \(tail)")
        }
    }

    @Test func theSeedDeterminesTheDrawsAndTheStandardDeviationScalesThem() throws {
        func build(seed: UInt64, sigma: Double) throws -> [(key: String, values: [Float])] {
            try RecurrentNetworkSpecification(
                cell: .rnnTanh, inputSize: 2, hiddenSize: 50, outputSize: 1, weightInitialization: .normal(standardDeviation: sigma), seed: seed
            ).build(Parameters())
        }
        let a = try build(seed: 1, sigma: 0.1), b = try build(seed: 1, sigma: 0.1), c = try build(seed: 2, sigma: 0.1)
        let wide = try build(seed: 1, sigma: 0.3)
        #expect(a.map(\.values) == b.map(\.values))
        #expect(a[1].values != c[1].values)
        // Same stream, another σ: every draw scaled by 3.
        for (narrow, broad) in zip(a[1].values, wide[1].values) { #expect(abs(broad - 3 * narrow) <= 1e-6 * max(1, abs(broad))) }
    }

    @Test func withoutItTheLayersKeepTheirOwnInitialization() throws {
        let plain = try RecurrentNetworkSpecification(cell: .rnnTanh, inputSize: 2, hiddenSize: 8, outputSize: 1, seed: 1).build(Parameters())
        // PyTorch's default draws non-zero biases.
        #expect(plain.first { $0.key == "encoder.layer0.biasIH" }?.values.contains { $0 != 0 } == true)
    }
}
