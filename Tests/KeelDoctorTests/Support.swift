import Foundation
import KeelCore
import KeelLayers
import KeelTrainer

/// A fixed list of batches, cycled.
struct FixedBatches<Scalar: TensorScalar>: BatchSource {
    var batches: [Batch<Scalar>]
    var batchesPerEpoch: Int { batches.count }
    func batch(epoch: Int, index: Int) -> Batch<Scalar> { batches[index] }
}

/// Adding-problem-like batches: inputs `[T, batch, 2]` (a value in [0, 1) and a marker on two
/// steps, the first in the first `markerWindow` steps), target the sum of the marked values;
/// the values are scaled by `inputScale`.
func addingBatches<Scalar: TensorScalar>(
    count: Int, steps: Int, batch: Int, seed: UInt64, inputScale: Double = 1, markerWindow: Int? = nil
) -> FixedBatches<Scalar> {
    var generator = Xoshiro256StarStar(seed: seed)
    let window = markerWindow ?? max(1, steps / 2)
    return FixedBatches(batches: (0..<count).map { _ in
        var inputs = [Scalar](repeating: 0, count: steps * batch * 2)
        var targets = [Scalar](repeating: 0, count: batch)
        for row in 0..<batch {
            let first = Int.random(in: 0..<window, using: &generator)
            var second = Int.random(in: 0..<steps, using: &generator)
            if second == first { second = (first + 1) % steps }
            for t in 0..<steps {
                let value = Double.random(in: 0..<1, using: &generator)
                inputs[(t * batch + row) * 2] = Scalar(value * inputScale)
                if t == first || t == second {
                    inputs[(t * batch + row) * 2 + 1] = Scalar(inputScale)
                    targets[row] += Scalar(value)
                }
            }
        }
        return Batch(inputs: Tensor(shape: [steps, batch, 2], scalars: inputs), targets: Tensor(shape: [batch, 1], scalars: targets))
    })
}

/// A tanh or ReLU RNN on the last step with W_hh orthogonal at `radius` (the other weights the
/// cell's defaults, the input weights scaled by `inputWeightScale`, the biases zero on request).
func rnnModel<Scalar: TensorScalar>(
    hidden: Int, radius: Double, nonlinearity: RNNCell<Scalar>.Nonlinearity = .tanh, seed: UInt64, inputWeightScale: Double = 1,
    zeroBiases: Bool = false
) -> SequenceModel<Recurrent<RNNCell<Scalar>>> {
    var generator = Xoshiro256StarStar(seed: seed)
    var cell = RNNCell<Scalar>(inputSize: 2, hiddenSize: hidden, nonlinearity: nonlinearity, using: &generator)
    cell.weightHH = ScaledToSpectralRadius(radius, base: Orthogonal()).makeTensor([hidden, hidden], generator: &generator)
    cell.weightIH = cell.weightIH * Scalar(inputWeightScale)
    if zeroBiases {
        cell.biasIH = .zeros([hidden])
        cell.biasHH = .zeros([hidden])
    }
    let head = Dense<Scalar>(inputSize: hidden, outputSize: 1, generator: &generator)
    return SequenceModel(recurrent: Recurrent(cell: cell), head: head, headOnEveryStep: false)
}
