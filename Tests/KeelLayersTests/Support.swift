import Foundation
import Testing
import KeelLayers

/// Reads a JSON fixture from `Reference/` beside this file.
func layersFixture(_ name: String, filePath: String = #filePath) throws -> Data {
    let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Reference")
    return try Data(contentsOf: directory.appendingPathComponent(name))
}

/// A tensor as the NumPy reference scripts store it: a shape and row-major values.
struct StoredTensor: Decodable {
    let shape: [Int]
    let data: [Double]
    func tensor<S: TensorScalar>(_: S.Type = S.self) -> Tensor<S> { Tensor(shape: shape, scalars: data.map { S($0) }) }
}

/// A Double tensor of normal draws, for test inputs.
func randomTensor(_ shape: [Int], seed: UInt64, mean: Double = 0, standardDeviation: Double = 1) -> Tensor<Double> {
    var generator = Xoshiro256StarStar(seed: seed)
    return Tensor(randomNormal: shape, mean: mean, standardDeviation: standardDeviation, using: &generator)
}

/// ‖a − b‖ / max(‖a‖, ‖b‖), 0 when both are (numerically) zero.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    var difference = 0.0, normA = 0.0, normB = 0.0
    for (x, y) in zip(a, b) {
        difference += (x - y) * (x - y)
        normA += x * x
        normB += y * y
    }
    let scale = max(normA, normB).squareRoot()
    return scale < 1e-12 ? difference.squareRoot() : difference.squareRoot() / scale
}

/// The loss a gradient check differentiates: L = Σ output ∘ projection (a fixed random projection,
/// so every output element matters with a different weight).
private func projectedLoss<L: Layer>(_ layer: L, _ input: Tensor<Double>, _ projection: Tensor<Double>, mode: ForwardContext.Mode, seed: UInt64) -> Double
where L.Scalar == Double {
    var copy = layer
    var context = ForwardContext(mode: mode, seed: seed)
    return (copy.forward(input, context: &context).output * projection).sum()
}

/// Central finite differences in Double against a layer's backward pass, for the input and every
/// parameter: the relative error ‖analytic − numeric‖/max(‖analytic‖, ‖numeric‖) of each tensor
/// must be at most `tolerance`. Every evaluation runs a fresh copy of `layer` with a context
/// seeded by `seed`, so stochastic layers see the same mask each time. Returns the worst error.
@discardableResult
func checkGradients<L: Layer>(
    _ layer: L, input: Tensor<Double>, mode: ForwardContext.Mode = .training, seed: UInt64 = 11,
    checkInput: Bool = true, step: Double = 1e-5, tolerance: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Double where L.Scalar == Double {
    var copy = layer
    var context = ForwardContext(mode: mode, seed: seed)
    let (output, cache) = copy.forward(input, context: &context)
    let projection = randomTensor(output.shape, seed: 1234)
    var gradients = layer.parameters.zerosLike()
    let inputGradient = copy.backward(projection, cache: cache, gradients: &gradients)
    #expect(inputGradient.shape == input.shape, "input gradient shape", sourceLocation: sourceLocation)
    #expect(gradients.keys == layer.parameters.keys, "gradient keys", sourceLocation: sourceLocation)
    var worst = 0.0

    if checkInput {
        var numeric = [Double](repeating: 0, count: input.scalarCount)
        for index in 0..<input.scalarCount {
            var plus = input, minus = input
            plus.withUnsafeMutableBufferPointer { $0[index] += step }
            minus.withUnsafeMutableBufferPointer { $0[index] -= step }
            numeric[index] = (projectedLoss(layer, plus, projection, mode: mode, seed: seed)
                - projectedLoss(layer, minus, projection, mode: mode, seed: seed)) / (2 * step)
        }
        let error = relativeError(inputGradient.scalars, numeric)
        #expect(error <= tolerance, "input gradient relative error \(error)", sourceLocation: sourceLocation)
        worst = max(worst, error)
    }

    for (position, key) in layer.parameters.keys.enumerated() {
        let count = layer.parameters.tensors[position].scalarCount
        var numeric = [Double](repeating: 0, count: count)
        for index in 0..<count {
            func perturbed(_ delta: Double) -> L {
                var result = layer
                result.updateParameters { parameterKey, tensor in
                    if parameterKey == key { tensor.withUnsafeMutableBufferPointer { $0[index] += delta } }
                }
                return result
            }
            numeric[index] = (projectedLoss(perturbed(step), input, projection, mode: mode, seed: seed)
                - projectedLoss(perturbed(-step), input, projection, mode: mode, seed: seed)) / (2 * step)
        }
        let analytic = gradients[key].scalars
        let error = relativeError(analytic, numeric)
        #expect(error <= tolerance, "gradient of \(key): relative error \(error)", sourceLocation: sourceLocation)
        #expect(analytic.contains { $0 != 0 }, "gradient of \(key) is all zero", sourceLocation: sourceLocation)
        worst = max(worst, error)
    }
    return worst
}

/// Central finite differences of a loss with respect to its predictions.
@discardableResult
func checkLossGradient<L: Loss>(
    _ loss: L, predictions: Tensor<Double>, targets: Tensor<Double>, step: Double = 1e-5, tolerance: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Double where L.Scalar == Double {
    let analytic = loss.gradient(predictions: predictions, targets: targets)
    #expect(analytic.shape == predictions.shape, sourceLocation: sourceLocation)
    var numeric = [Double](repeating: 0, count: predictions.scalarCount)
    for index in 0..<predictions.scalarCount {
        var plus = predictions, minus = predictions
        plus.withUnsafeMutableBufferPointer { $0[index] += step }
        minus.withUnsafeMutableBufferPointer { $0[index] -= step }
        numeric[index] = (loss.value(predictions: plus, targets: targets) - loss.value(predictions: minus, targets: targets)) / (2 * step)
    }
    let error = relativeError(analytic.scalars, numeric)
    #expect(error <= tolerance, "loss gradient relative error \(error)", sourceLocation: sourceLocation)
    return error
}
