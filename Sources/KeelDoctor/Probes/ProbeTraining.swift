import KeelCore
import KeelLayers
import KeelOptimizers

/// One probe run: a copy of the model trained step by step with an optimizer candidate, no
/// clipping, each update scaled to the rate asked for.
struct ProbeTraining<Model: Layer, LossFunction: Loss> where LossFunction.Scalar == Model.Scalar {
    typealias Scalar = Model.Scalar

    /// What one step measured.
    struct StepResult {
        var loss: Double
        var globalNorm: Double
        var keys: [ParameterKey]
        var norms: [Double]
        var nonFinite: [Int]
    }

    var model: Model
    let loss: LossFunction
    let candidate: OptimizerCandidate<Scalar>
    var state: AnyTransformState
    var step = 0
    let seed: UInt64

    init(model: Model, loss: LossFunction, candidate: OptimizerCandidate<Scalar>, seed: UInt64) {
        self.model = model
        self.loss = loss
        self.candidate = candidate
        self.state = candidate.transform.makeState(for: model.parameters)
        self.seed = seed
    }

    /// Forward, loss, backward, and (when the gradient is finite) the update at `learningRate`.
    mutating func train(on batch: Batch<Scalar>, learningRate: Double) throws -> StepResult {
        var context = ForwardContext(mode: .training, seed: seed &+ UInt64(step))
        let (output, cache) = model.forward(batch.inputs, context: &context)
        let (value, outputGradient) = loss.valueAndGradient(predictions: output, targets: batch.targets)
        var gradients = model.parameters.zerosLike()
        _ = model.backward(outputGradient, cache: cache, gradients: &gradients)
        var keys: [ParameterKey] = [], norms: [Double] = [], nonFinite: [Int] = []
        for (key, tensor) in gradients {
            keys.append(key)
            let squares = tensor.sumOfSquares()
            norms.append(squares.squareRoot())
            nonFinite.append(squares.isFinite ? 0 : tensor.scalars.filter { !$0.isFinite }.count)
        }
        let globalNorm = gradients.globalNorm()
        if globalNorm.isFinite && Double(value).isFinite {
            var updates = gradients
            // The probe's rate reaches the optimizer as the trainer's would: one multiplier in the
            // context; a candidate without an optimizer has its updates scaled instead.
            let multiplier = learningRate / candidate.nominalLearningRate
            var transformContext = TransformContext(step: step, parameters: model.parameters, learningRateMultiplier: multiplier)
            try candidate.transform.apply(to: &updates, state: &state, context: &transformContext)
            let optimizerApplied = transformContext.reports.contains { $0.optimizer != nil }
            model.applyUpdate(updates, scaledBy: Scalar(optimizerApplied ? 1 : multiplier))
        }
        step += 1
        return StepResult(loss: Double(value), globalNorm: globalNorm, keys: keys, norms: norms, nonFinite: nonFinite)
    }
}
