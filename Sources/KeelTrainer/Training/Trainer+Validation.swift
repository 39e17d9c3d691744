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
        return ValidationMetrics(loss: lossSum / Double(batches), accuracy: total > 0 ? Double(correct) / Double(total) : nil)
    }

    /// Validation, then plateau and early stopping; returns a stop reason when training should end.
    mutating func validate<Source: BatchSource>(_ source: Source, epoch: Int) throws -> StopReason? where Source.Scalar == Scalar {
        let metrics = evaluate(source)
        progress.lastValidation = metrics
        var values = ["loss": metrics.loss]
        if let accuracy = metrics.accuracy { values["accuracy"] = accuracy }
        try emit(.validation(ValidationRecord(step: progress.step, epoch: epoch, metrics: values)))
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
        return nil
    }
}
