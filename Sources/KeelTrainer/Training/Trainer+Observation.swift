extension Trainer {
    /// The step's statistics, computed once; costly parts only when `needs` asks for them.
    ///
    /// ``StepObservation/firstNonFiniteKey`` is the first parameter with a non-finite gradient in
    /// the reverse of the model's parameter order (the order backpropagation produces gradients
    /// in a sequential model: head first, input side last).
    mutating func observe(
        gradients: ParameterSet<Scalar>, loss: Double, flows: [[Double]]?, epoch: Int, needs: ObservationNeeds
    ) -> StepObservation {
        let gradientNorms = gradients.norms()
        let global = gradientNorms.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let keys = gradients.keys
        // A finite norm implies every entry is finite (a sum of squares of finite values that
        // overflowed is +∞, which is counted too); only non-finite norms need the count.
        let nonFiniteCounts = zip(gradients.tensors, gradientNorms).map { tensor, norm in norm.isFinite ? 0 : tensor.nonFiniteCount }
        let firstNonFinite = nonFiniteCounts.indices.reversed().first { nonFiniteCounts[$0] > 0 }.map { keys[$0] }
        var observation = StepObservation(
            step: progress.step, epoch: epoch, loss: loss, learningRate: learningRate,
            parameterKeys: keys, gradientNorms: gradientNorms, globalGradientNorm: global,
            nonFiniteCounts: nonFiniteCounts, firstNonFiniteKey: firstNonFinite)
        if needs.contains(.parameterNorms) { observation.parameterNorms = model.parameters.norms() }
        if needs.contains(.updateNorm) { observation.previousUpdateNorm = progress.previousUpdateNorm }
        if !needs.isDisjoint(with: [.gradientFlow, .recurrentDynamics]), let sequenceTraining {
            observation.recurrentDynamics = sequenceTraining.recurrentDynamics(&self, flows, needs)
        }
        return observation
    }

    /// One ``RecurrentDynamics`` per recurrent weight: σ_max (every
    /// ``TrainerConfiguration/spectralNormInterval`` steps, the cached value in between) and the
    /// gradient-flow profile of the layer that owns it (``StatefulSequenceModel/gradientFlowKeys``).
    mutating func recurrentDynamics<M: StatefulSequenceModel>(
        of sequenceModel: M, flows: [[Double]]?, needs: ObservationNeeds
    ) -> [RecurrentDynamics] where M.Scalar == Scalar {
        let parameters = model.parameters
        let flowKeys = sequenceModel.gradientFlowKeys
        var result: [RecurrentDynamics] = []
        for key in sequenceModel.recurrentWeightKeys {
            var dynamics = RecurrentDynamics(weightKey: key)
            if needs.contains(.recurrentDynamics), let weight = parameters.tensor(for: key) {
                var estimator = progress.spectralEstimators[key.rawValue] ?? SpectralNormEstimator()
                if estimator.value == nil || progress.step % configuration.spectralNormInterval == 0 {
                    _ = estimator.estimate(weight, iterations: configuration.powerIterations)
                    progress.spectralEstimators[key.rawValue] = estimator
                }
                dynamics.largestSingularValue = estimator.value
            }
            if needs.contains(.gradientFlow), let flows, let layer = flowKeys.firstIndex(of: key), layer < flows.count {
                dynamics.gradientFlow = flows[layer]
            }
            result.append(dynamics)
        }
        return result
    }
}
