extension Trainer {
    /// Evaluates the model on every batch of `source`'s epoch 0 in inference mode (the model and
    /// the trainer's generator are untouched).
    public func evaluate<Source: BatchSource>(_ source: Source) -> ValidationMetrics where Source.Scalar == Scalar {
        var lossSum = 0.0
        var correct = 0, total = 0
        for index in 0..<source.batchesPerEpoch {
            let batch = source.batch(epoch: 0, index: index)
            var copy = model
            var context = ForwardContext(mode: .inference)
            let output = copy.forward(batch.inputs, context: &context).output
            lossSum += Double(loss.value(predictions: output, targets: batch.targets))
            if configuration.reportsAccuracy, output.rank == 2, batch.targets.scalarCount == output.shape[0] {
                let predicted = output.argmax(alongAxis: 1)
                for (row, label) in batch.targets.scalars.enumerated() where Int(label) == predicted[row] { correct += 1 }
                total += output.shape[0]
            }
        }
        let batches = max(1, source.batchesPerEpoch)
        var metrics = ValidationMetrics(loss: lossSum / Double(batches), accuracy: total > 0 ? Double(correct) / Double(total) : nil)
        if let heldOut = heldOutEvaluation {
            var wrong = 0
            var heldOutLoss = 0.0
            for index in 0..<heldOut.source.batchesPerEpoch {
                let batch = heldOut.source.batch(epoch: 0, index: index)
                var copy = model
                var context = ForwardContext(mode: .inference)
                let output = copy.forward(batch.inputs, context: &context).output
                heldOutLoss += Double(loss.value(predictions: output, targets: batch.targets))
                wrong += heldOut.wrongCount(output, batch.targets)
            }
            metrics.testLoss = heldOutLoss / Double(max(1, heldOut.source.batchesPerEpoch))
            metrics.errorRate = Double(wrong) / Double(heldOut.exampleCount)
        }
        return metrics
    }

    /// Validation, then plateau, early stopping, the best checkpoint and the stop conditions;
    /// returns a stop reason when training should end.
    mutating func validate<Source: BatchSource>(_ source: Source, epoch: Int) throws -> StopReason? where Source.Scalar == Scalar {
        let metrics = evaluate(source)
        progress.lastValidation = metrics
        progress.lastValidationStep = progress.step
        try emit(.validation(ValidationRecord(step: progress.step, epoch: epoch, metrics: metrics.record)))
        if var plateau = progress.plateau {
            let before = learningRate
            let after = plateau.step(metric: metrics.loss, learningRate: before)
            progress.plateau = plateau
            if after != before, before > 0 { try scaleLearningRate(by: after / before, reason: "plateau: validation loss \(metrics.loss)") }
        }
        if var earlyStopping = progress.earlyStopping {
            let value: Double? = earlyStopping.metric == .loss ? metrics.loss : metrics.accuracy
            if let value {
                let stop = earlyStopping.record(value)
                progress.earlyStopping = earlyStopping
                if stop { return .earlyStopping(best: earlyStopping.best ?? value, evaluations: earlyStopping.evaluationsWithoutImprovement) }
            }
        }
        for condition in configuration.stopConditions {
            if let reason = condition.stopReason(for: metrics, atStep: progress.step) {
                // A target reached is still a model worth keeping as the best.
                if case .targetReached = reason, let failure = try saveBestIfImproved(metrics) { return failure }
                return reason
            }
        }
        return try saveBestIfImproved(metrics)
    }

    /// Writes the best checkpoint when `metrics` improve on it; a stop reason when the weights
    /// are non-finite (nothing is written then).
    mutating func saveBestIfImproved(_ metrics: ValidationMetrics) throws -> StopReason? {
        let policy = configuration.checkpoints
        guard let directory = policy.bestDirectory, let value = metrics[policy.bestMetric], value.isFinite,
            bestCheckpoint.map({ policy.bestMetric.isBetter(value, than: $0.value) }) ?? true
        else { return nil }
        if let failure = try writeCheckpoint(to: directory) { return failure }
        bestCheckpoint = BestCheckpoint(value: value, step: progress.step)
        return nil
    }

    /// Writes a checkpoint (rank 0 only) with the policy's extra files; a stop reason, and no
    /// file, when the weights are non-finite.
    mutating func writeCheckpoint(to directory: String) throws -> StopReason? {
        if let parameter = firstNonFiniteParameter() { return .nonFiniteWeights(parameter: parameter) }
        guard collective.rank == 0 else { return nil }
        try saveCheckpoint(to: directory, extraFiles: configuration.checkpoints.extraFiles(directory))
        return nil
    }

    /// The key of the first parameter tensor holding NaN or ±∞.
    func firstNonFiniteParameter() -> String? {
        model.parameters.first(where: { $0.1.nonFiniteCount > 0 })?.0.rawValue
    }
}
