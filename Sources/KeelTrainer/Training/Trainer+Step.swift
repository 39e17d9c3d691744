extension Trainer {
    /// One optimizer step over the micro-batches at `cursors`; `next` is the cursor after them.
    mutating func runStep<Source: BatchSource>(
        _ cursors: [TrainingCursor], source: Source, next: TrainingCursor
    ) throws -> StepOutcome where Source.Scalar == Scalar {
        var gradients = model.parameters.zerosLike()
        var lossSum = 0.0
        var windowNorms: [Double] = []
        var flow: [Double]? = nil
        for cursor in cursors {
            let batch = source.batch(epoch: cursor.epoch, index: cursor.index)
            let result = accumulateGradients(of: batch, into: &gradients)
            lossSum += result.loss
            windowNorms += result.windowNorms
            if let profile = result.flow { flow = (flow ?? []) + profile }
        }
        if cursors.count > 1 { gradients.scale(by: 1 / Scalar(cursors.count)) }
        let stepLoss = lossSum / Double(cursors.count)
        let observation = observe(gradients: gradients, loss: stepLoss, flow: flow, epoch: cursors[0].epoch)

        var verdicts: [MonitorVerdict] = []
        for index in monitors.indices { verdicts.append(monitors[index].inspect(observation)) }

        if let stop = verdicts.first(where: { if case .stop = $0 { true } else { false } }) {
            return .stop(.monitor(reason: stop.reason ?? "stop"))
        }
        if let rollback = verdicts.first(where: { if case .rollback = $0 { true } else { false } }) {
            return rollBack(reason: rollback.reason ?? "rollback", cursors: cursors)
        }
        for verdict in verdicts {
            if case .scaleLearningRate(let factor, let reason) = verdict { scaleLearningRate(by: factor, reason: reason) }
        }
        let stepNumber = progress.step + 1
        var updateNorm: Double? = nil
        var reports: [TransformReport] = []
        if let skip = verdicts.first(where: { if case .skipUpdate = $0 { true } else { false } }) {
            emit(.updateSkipped(step: stepNumber, cursor: cursors[0], reason: skip.reason ?? "skip"))
        } else {
            var updates = gradients
            var context = TransformContext(step: progress.step, parameters: model.parameters)
            try pipeline.apply(to: &updates, state: &pipelineState, context: &context)
            model.applyUpdate(updates, scaledBy: Scalar(progress.learningRateScale))
            updateNorm = updates.globalNorm() * progress.learningRateScale
            progress.previousUpdateNorm = updateNorm
            reports = context.reports
        }
        progress.step = stepNumber
        progress.cursor = next
        progress.lastLoss = stepLoss
        progress.epochLossSum += stepLoss
        progress.epochLossCount += 1
        emit(.stepCompleted(StepRecord(
            step: stepNumber, cursor: cursors[0], loss: stepLoss, gradientNorm: observation.globalGradientNorm,
            updateNorm: updateNorm, learningRateScale: progress.learningRateScale, windowGradientNorms: windowNorms,
            transformReports: reports)))
        if stepNumber % configuration.rollback.snapshotInterval == 0, updateNorm != nil { takeSnapshot() }
        return .continue
    }

    mutating func scaleLearningRate(by factor: Double, reason: String) {
        progress.learningRateScale *= factor
        emit(.learningRateScaled(step: progress.step, factor: factor, scale: progress.learningRateScale, reason: reason))
    }

    /// Restores the newest snapshot and records the step's batches (and the policy's preceding
    /// ones) as skipped.
    mutating func rollBack(reason: String, cursors: [TrainingCursor]) -> StepOutcome {
        let policy = configuration.rollback
        guard rollbackCount < policy.maxRollbacks, let snapshot = snapshots.last else {
            return .stop(.rollbackBudgetExhausted(reason: reason))
        }
        let failedStep = progress.step + 1
        var skipped: [TrainingCursor] = []
        if let first = cursors.first, policy.precedingBatchesSkipped > 0 {
            let start = max(0, first.index - policy.precedingBatchesSkipped)
            skipped += (start..<first.index).map { TrainingCursor(epoch: first.epoch, index: $0) }
        }
        skipped += cursors
        skipped = skipped.filter { !skippedCursors.contains($0) }
        model = snapshot.model
        pipelineState = snapshot.pipelineState
        monitors = snapshot.monitors
        progress = snapshot.progress
        rollbackCount += 1
        if policy.resetsPipelineState { pipelineState = pipeline.makeState(for: model.parameters) }
        for cursor in skipped {
            skippedCursors.insert(cursor)
            skippedBatches.append(SkippedBatch(cursor: cursor, step: failedStep, reason: reason))
        }
        emit(.rolledBack(step: failedStep, restoredStep: snapshot.progress.step, skipped: skipped, rollbackCount: rollbackCount, reason: reason))
        if policy.learningRateBackoff != 1 {
            scaleLearningRate(by: policy.learningRateBackoff, reason: "rollback backoff")
        }
        return .continue
    }

    /// Forward, loss and backward of one batch, gradients added into `gradients`.
    mutating func accumulateGradients(
        of batch: Batch<Scalar>, into gradients: inout ParameterSet<Scalar>
    ) -> (loss: Double, windowNorms: [Double], flow: [Double]?) {
        let wantsFlow = needs.contains(.gradientFlow)
        if configuration.truncatedBPTT != nil || wantsFlow, let sequenceModel = model as? any StatefulSequenceModel<Scalar> {
            return windowedGradients(sequenceModel, batch: batch, into: &gradients, recordsFlow: wantsFlow)
        }
        precondition(
            configuration.truncatedBPTT == nil,
            "Trainer: truncated BPTT needs a model conforming to StatefulSequenceModel; \(Model.self) does not")
        var context = ForwardContext(mode: .training, generator: progress.generator)
        let (output, cache) = model.forward(batch.inputs, context: &context)
        progress.generator = context.generator
        let (value, gradient) = loss.valueAndGradient(predictions: output, targets: batch.targets)
        _ = model.backward(gradient, cache: cache, gradients: &gradients)
        return (Double(value), [], nil)
    }

    /// Truncated BPTT over windows of one batch (one window of the whole sequence without
    /// ``TrainerConfiguration/truncatedBPTT``).
    mutating func windowedGradients<M: StatefulSequenceModel>(
        _ sequenceModel: M, batch: Batch<Scalar>, into gradients: inout ParameterSet<Scalar>, recordsFlow: Bool
    ) -> (loss: Double, windowNorms: [Double], flow: [Double]?) where M.Scalar == Scalar {
        precondition(batch.inputs.rank == 3, "Trainer: sequence inputs must be [time, batch, features], got \(batch.inputs.shape)")
        let timeSteps = batch.inputs.shape[0]
        let truncation = configuration.truncatedBPTT
        let windowLength = truncation?.windowLength ?? timeSteps
        if sequenceModel.outputsSequence {
            precondition(
                batch.targets.rank >= 1 && batch.targets.shape[0] == timeSteps,
                "Trainer: per-step targets must be time-major [\(timeSteps), …], got \(batch.targets.shape)")
        }
        var state: M.SequenceState? = nil
        var totalLoss = 0.0
        var windowNorms: [Double] = []
        var flow: [Double]? = recordsFlow ? [] : nil
        var start = 0
        while start < timeSteps {
            let end = min(start + windowLength, timeSteps)
            let whole = start == 0 && end == timeSteps
            let input = whole ? batch.inputs : batch.inputs.slice(start..<end)
            var context = ForwardContext(mode: .training, generator: progress.generator)
            let (output, finalState, cache) = sequenceModel.forward(input, initialState: state, context: &context)
            progress.generator = context.generator
            state = finalState
            defer { start = end }
            let gradient: Tensor<Scalar>
            if sequenceModel.outputsSequence {
                let targets = whole ? batch.targets : batch.targets.slice(start..<end)
                let (value, raw) = loss.valueAndGradient(predictions: output, targets: targets)
                let weight = Double(end - start) / Double(timeSteps)
                totalLoss += Double(value) * weight
                gradient = whole ? raw : raw * Scalar(weight)
            } else if end == timeSteps {
                let (value, raw) = loss.valueAndGradient(predictions: output, targets: batch.targets)
                totalLoss += Double(value)
                gradient = raw
            } else {
                flow? += Array(repeating: 0, count: end - start)
                continue
            }
            var profile: [Double]? = recordsFlow ? [] : nil
            if truncation == nil {
                _ = sequenceModel.backward(gradient, cache: cache, gradients: &gradients, truncationDepth: nil, profile: &profile)
            } else {
                var windowGradients = gradients.zerosLike()
                _ = sequenceModel.backward(
                    gradient, cache: cache, gradients: &windowGradients, truncationDepth: truncation?.backpropagationDepth, profile: &profile)
                windowNorms.append(windowGradients.globalNorm())
                gradients.add(windowGradients)
            }
            if let profile { flow? += profile }
        }
        return (totalLoss, windowNorms, flow)
    }
}
