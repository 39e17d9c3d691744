import Foundation
import Testing
import KeelLayers

/// BatchNorm, LayerNorm and losses against Reference/layers_reference.py, an independent NumPy
/// implementation of PyTorch's documented equations.
@Suite struct ReferenceTests {
    struct Pass: Decodable {
        var shape: [Int]
        var input: [Double]
        var output: [Double]
    }

    struct BatchNormCase: Decodable {
        var name: String
        var features: Int
        var momentum: Double
        var epsilon: Double
        var affine: Bool
        var scale: [Double]
        var offset: [Double]
        var steps: [Pass]
        var runningMean: [Double]
        var runningVariance: [Double]
        var inference: Pass
    }

    struct LayerNormCase: Decodable {
        var shape: [Int]
        var epsilon: Double
        var scale: [Double]
        var offset: [Double]
        var input: [Double]
        var output: [Double]
    }

    struct LossCase: Decodable {
        var kind: String
        var reduction: String
        var ignoreIndex: Int?
        var shape: [Int]
        var targetShape: [Int]
        var predictions: [Double]
        var targets: [Double]
        var value: Double
        var gradient: [Double]
    }

    struct Fixture: Decodable {
        var batchNorm: [BatchNormCase]
        var layerNorm: [LayerNormCase]
        var losses: [LossCase]
    }

    static let fixture: Fixture = try! JSONDecoder().decode(Fixture.self, from: layersFixture("layers_reference.json"))

    /// |a − b| ≤ tolerance·max(1, |b|) elementwise.
    static func expectClose<S: TensorScalar>(
        _ actual: Tensor<S>, _ expected: [Double], tolerance: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let values = actual.scalars.map(Double.init)
        #expect(values.count == expected.count, "\(what): count", sourceLocation: sourceLocation)
        let worst = zip(values, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst <= tolerance, "\(what): worst error \(worst)", sourceLocation: sourceLocation)
    }

    func runBatchNorm<S: TensorScalar>(_ type: S.Type, tolerance: Double) {
        for testCase in Self.fixture.batchNorm {
            var layer = BatchNorm<S>(featureCount: testCase.features, momentum: S(testCase.momentum), epsilon: S(testCase.epsilon), affine: testCase.affine)
            if testCase.affine {
                layer.scale = Tensor(testCase.scale.map { S($0) })
                layer.offset = Tensor(testCase.offset.map { S($0) })
            }
            var context = ForwardContext(mode: .training)
            for (index, step) in testCase.steps.enumerated() {
                let output = layer.forward(Tensor(shape: step.shape, scalars: step.input.map { S($0) }), context: &context).output
                #expect(output.shape == step.shape)
                Self.expectClose(output, step.output, tolerance: tolerance, "\(testCase.name) step \(index)")
            }
            Self.expectClose(layer.runningMean, testCase.runningMean, tolerance: tolerance, "\(testCase.name) running mean")
            Self.expectClose(layer.runningVariance, testCase.runningVariance, tolerance: tolerance, "\(testCase.name) running variance")
            var inference = ForwardContext(mode: .inference)
            let before = layer.buffers
            let output = layer.forward(Tensor(shape: testCase.inference.shape, scalars: testCase.inference.input.map { S($0) }), context: &inference).output
            Self.expectClose(output, testCase.inference.output, tolerance: tolerance, "\(testCase.name) inference")
            #expect(layer.buffers == before, "inference must not move the running statistics")
        }
    }

    @Test func batchNormDouble() { runBatchNorm(Double.self, tolerance: 1e-10) }
    @Test func batchNormFloat() { runBatchNorm(Float.self, tolerance: 1e-5) }

    func runLayerNorm<S: TensorScalar>(_ type: S.Type, tolerance: Double) {
        for testCase in Self.fixture.layerNorm {
            var layer = LayerNorm<S>(featureCount: testCase.shape.last!, epsilon: S(testCase.epsilon))
            layer.scale = Tensor(testCase.scale.map { S($0) })
            layer.offset = Tensor(testCase.offset.map { S($0) })
            var context = ForwardContext(mode: .training)
            let output = layer.forward(Tensor(shape: testCase.shape, scalars: testCase.input.map { S($0) }), context: &context).output
            Self.expectClose(output, testCase.output, tolerance: tolerance, "LayerNorm \(testCase.shape)")
        }
    }

    @Test func layerNormDouble() { runLayerNorm(Double.self, tolerance: 1e-10) }
    @Test func layerNormFloat() { runLayerNorm(Float.self, tolerance: 1e-5) }

    func runLosses<S: TensorScalar>(_ type: S.Type, tolerance: Double) {
        for testCase in Self.fixture.losses {
            let reduction: LossReduction = testCase.reduction == "mean" ? .mean : .sum
            let predictions = Tensor(shape: testCase.shape, scalars: testCase.predictions.map { S($0) })
            let targets = Tensor(shape: testCase.targetShape, scalars: testCase.targets.map { S($0) })
            let result: (value: S, gradient: Tensor<S>)
            switch testCase.kind {
            case "softmaxCrossEntropy":
                result = SoftmaxCrossEntropy<S>(reduction: reduction, ignoreIndex: testCase.ignoreIndex).valueAndGradient(predictions: predictions, targets: targets)
            case "binaryCrossEntropy":
                result = BinaryCrossEntropy<S>(reduction: reduction).valueAndGradient(predictions: predictions, targets: targets)
            default:
                result = MeanSquaredError<S>(reduction: reduction).valueAndGradient(predictions: predictions, targets: targets)
            }
            let what = "\(testCase.kind) \(testCase.reduction) \(testCase.shape)"
            #expect(abs(Double(result.value) - testCase.value) <= tolerance * max(1, abs(testCase.value)), "\(what): value \(result.value) vs \(testCase.value)")
            Self.expectClose(result.gradient, testCase.gradient, tolerance: tolerance, "\(what) gradient")
        }
    }

    @Test func lossesDouble() { runLosses(Double.self, tolerance: 1e-10) }
    @Test func lossesFloat() { runLosses(Float.self, tolerance: 1e-5) }
}
