extension Trainer {
    /// The step's statistics, computed once; costly parts only when a monitor needs them.
    mutating func observe(gradients: ParameterSet<Scalar>, loss: Double, flow: [Double]?, epoch: Int) -> StepObservation {
        let gradientNorms = gradients.norms()
        let global = gradientNorms.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var observation = StepObservation(
            step: progress.step + 1, epoch: epoch, loss: loss,
            learningRate: configuration.nominalLearningRate * progress.learningRateScale,
            parameterKeys: gradients.keys, gradientNorms: gradientNorms, globalGradientNorm: global,
            nonFiniteCounts: gradients.tensors.map(\.nonFiniteCount), firstNonFiniteKey: gradients.firstNonFiniteKey)
        if needs.contains(.parameterNorms) { observation.parameterNorms = model.parameters.norms() }
        if needs.contains(.updateNorm) { observation.previousUpdateNorm = progress.previousUpdateNorm }
        if !needs.isDisjoint(with: [.gradientFlow, .recurrentDynamics]), let sequenceModel = model as? any StatefulSequenceModel<Scalar> {
            observation.recurrentDynamics = recurrentDynamics(of: sequenceModel, flow: flow)
        }
        return observation
    }

    /// One ``RecurrentDynamics`` per recurrent weight: σ_max (every
    /// ``TrainerConfiguration/spectralNormInterval`` steps, the cached value in between) and the
    /// gradient-flow profile (given to the first recurrent weight: the profile is the model's).
    mutating func recurrentDynamics<M: StatefulSequenceModel>(of sequenceModel: M, flow: [Double]?) -> [RecurrentDynamics]
    where M.Scalar == Scalar {
        let parameters = model.parameters
        var result: [RecurrentDynamics] = []
        for (offset, key) in sequenceModel.recurrentWeightKeys.enumerated() {
            var dynamics = RecurrentDynamics(weightKey: key)
            if needs.contains(.recurrentDynamics), let weight = parameters.tensor(for: key) {
                var estimator = progress.spectralEstimators[key.rawValue] ?? SpectralNormEstimator()
                if estimator.value == nil || progress.step % configuration.spectralNormInterval == 0 {
                    _ = estimator.estimate(weight, iterations: configuration.powerIterations)
                    progress.spectralEstimators[key.rawValue] = estimator
                }
                dynamics.largestSingularValue = estimator.value
            }
            if offset == 0, needs.contains(.gradientFlow), let flow { dynamics.gradientFlow = flow }
            result.append(dynamics)
        }
        return result
    }
}
