extension Trainer {
    /// One optimizer step over the micro-batches at `cursors`; `next` is the cursor after them.
    mutating func runStep<Source: BatchSource>(
        _ cursors: [TrainingCursor], source: Source, next: TrainingCursor
    ) throws -> StepOutcome where Source.Scalar == Scalar {
        let started = ContinuousClock.now
        let stepIndex = progress.step
        let needs = monitors.needs(atStep: stepIndex)
        // A snapshot is of the state at the start of this step, kept only once this step's
        // observation passed the monitors: the ring never holds a state an undetected explosion
        // had already damaged.
        var snapshotCandidate = stepIndex % configuration.rollback.snapshotInterval == 0
            ? TrainerSnapshot(model: model, pipelineState: pipelineState, monitors: monitors, progress: progress) : nil
        var gradients = model.parameters.zerosLike()
        var lossSum = 0.0
        var windowNorms: [Double] = []
        var flows: [[Double]]? = nil
        for cursor in cursors {
            let batch = source.batch(epoch: cursor.epoch, index: cursor.index)
            let result = accumulateGradients(of: batch, into: &gradients, needs: needs)
            lossSum += result.loss
            windowNorms += result.windowNorms
            if let profiles = result.flows {
                flows = flows.map { zip($0, profiles).map { $0 + $1 } } ?? profiles
            }
        }
        if cursors.count > 1 { gradients.scale(by: 1 / Scalar(cursors.count)) }
        var stepLoss = lossSum / Double(cursors.count)
        try collective.averageGradients(&gradients, loss: &stepLoss)
        let observation = observe(gradients: gradients, loss: stepLoss, flows: flows, epoch: cursors[0].epoch, needs: needs)
        var outcome = monitors.evaluate(observation)
        outcome.verdict = try collective.agree(on: outcome.verdict)
        for record in MonitorFiredRecord.records(from: outcome) { try emit(.monitorFired(record)) }
        try emitDynamics(observation)
        if let snapshotCandidate, outcome.verdict.severity == 0, observation.loss.isFinite, !observation.hasNonFiniteValues {
            keep(snapshotCandidate)
        }
        snapshotCandidate = nil  // its references must not make the update below copy every tensor

        switch outcome.verdict {
        case .stop(let reason):
            try emit(.actionTaken(ActionRecord(step: stepIndex, action: .stop, reason: reason, skippedBatches: cursors.map(\.index))))
            return .stop(.monitor(reason: reason))
        case .rollback(let reason):
            return try rollBack(reason: reason, cursors: cursors)
        case .scaleLearningRate(let factor, let reason):
            try scaleLearningRate(by: factor, reason: reason)
        case .proceed, .skipUpdate:
            break
        }
        var updateNorm: Double? = nil
        var reports: [TransformReport] = []
        // The rate this step applies (the monitors' verdict included); the optimizer's report
        // replaces it below, and the two agree for every optimizer that passes the conformance laws.
        var appliedRate = learningRate
        if case .skipUpdate(let reason) = outcome.verdict {
            try emit(.actionTaken(ActionRecord(step: stepIndex, action: .skipUpdate, reason: reason, skippedBatches: cursors.map(\.index))))
        } else {
            // The gradients become the updates in place, and the context (which references the
            // parameters) ends before the update: otherwise copy-on-write would copy every
            // gradient and parameter tensor each step.
            var updates = consume gradients
            let transformReports: [TransformReport]
            do {
                var context = TransformContext(
                    step: progress.step, parameters: model.parameters, learningRateMultiplier: progress.learningRateScale)
                try pipeline.apply(to: &updates, state: &pipelineState, context: &context)
                transformReports = context.reports
            }
            // An optimizer took the multiplier through the context and reported the rate it
            // applied; a pipeline without one leaves the multiplier to the trainer.
            let optimizerRate = transformReports.last(where: { $0.optimizer != nil })?.optimizer?.learningRate
            let trainerScale = optimizerRate == nil ? progress.learningRateScale : 1
            model.applyUpdate(updates, scaledBy: Scalar(trainerScale))
            if let optimizerRate { appliedRate = optimizerRate }
            reports = transformReports.filter { $0.optimizer == nil }
            if needs.contains(.updateNorm) {
                updateNorm = updates.globalNorm() * trainerScale
                progress.previousUpdateNorm = updateNorm
            }
            monitors.recordClipReports(reports)
        }
        progress.step = stepIndex + 1
        progress.cursor = next
        if let incident = rollbackIncidentStep, progress.step > incident {
            // Training got past the step that failed: the incident is over, the budget refills.
            rollbackIncidentStep = nil
            rollbacksInARow = 0
        }
        progress.lastLoss = stepLoss
        progress.epochLossSum += stepLoss
        progress.epochLossCount += 1
        let elapsed = ContinuousClock.now - started
        try emit(.stepCompleted(StepRecord(
            step: stepIndex, epoch: cursors[0].epoch, loss: stepLoss, globalGradientNorm: observation.globalGradientNorm,
            learningRate: appliedRate, updateApplied: !isSkip(outcome.verdict),
            clipReports: reports, durationSeconds: Self.seconds(elapsed), updateNorm: updateNorm, batchIndex: cursors[0].index,
            windowGradientNorms: configuration.truncatedBPTT == nil ? nil : windowNorms)))
        return .continue
    }

    private func isSkip(_ verdict: MonitorVerdict) -> Bool {
        if case .skipUpdate = verdict { return true }
        return false
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// `gradientFlow` and `recurrentDynamics` events for what the observation computed.
    func emitDynamics(_ observation: StepObservation) throws {
        guard !observation.recurrentDynamics.isEmpty else { return }
        let flow = GradientFlowRecord(step: observation.step, dynamics: observation.recurrentDynamics)
        if !flow.profiles.isEmpty { try emit(.gradientFlow(flow)) }
        if observation.recurrentDynamics.contains(where: { $0.largestSingularValue != nil }) {
            try emit(.recurrentDynamics(RecurrentDynamicsRecord(step: observation.step, layers: observation.recurrentDynamics)))
        }
    }

    mutating func scaleLearningRate(by factor: Double, reason: String) throws {
        let before = learningRate
        progress.learningRateScale *= factor
        try emit(.actionTaken(ActionRecord(
            step: progress.step, action: .learningRateChange, reason: reason, previousLearningRate: before, newLearningRate: learningRate)))
    }

    /// Restores the newest snapshot, records the step's batches (and the policy's preceding
    /// ones) as skipped, and multiplies the learning-rate scale (kept from before the restore)
    /// by the backoff: the replay changes course instead of running into the same explosion.
    mutating func rollBack(reason: String, cursors: [TrainingCursor]) throws -> StepOutcome {
        let policy = configuration.rollback
        let failedStep = progress.step
        guard rollbacksInARow < policy.maxRollbacks, let snapshot = snapshots.last else {
            // Training stops, but on the last state that passed the monitors: what is saved or
            // evaluated next is never the state the explosion produced.
            if let good = snapshots.last {
                model = good.model
                try synchronizeWithRoot()
                pipelineState = good.pipelineState
                monitors = good.monitors
                progress = good.progress
            }
            try emit(.actionTaken(ActionRecord(
                step: failedStep, action: .stop, reason: "rollback budget exhausted: \(reason)", restoredStep: snapshots.last?.progress.step,
                retriesLeft: 0)))
            return .stop(.rollbackBudgetExhausted(reason: reason))
        }
        var skipped: [TrainingCursor] = []
        if let first = cursors.first, policy.precedingBatchesSkipped > 0 {
            let start = max(0, first.index - policy.precedingBatchesSkipped)
            skipped += (start..<first.index).map { TrainingCursor(epoch: first.epoch, index: $0) }
        }
        skipped += cursors
        skipped = skipped.filter { !skippedCursors.contains($0) }
        // The scale survives the restore, so that the backoff compounds over retries.
        let scale = progress.learningRateScale
        model = snapshot.model
        try synchronizeWithRoot()
        pipelineState = snapshot.pipelineState
        monitors = snapshot.monitors
        progress = snapshot.progress
        progress.learningRateScale = scale
        rollbackCount += 1
        rollbacksInARow += 1
        rollbackIncidentStep = max(rollbackIncidentStep ?? failedStep, failedStep)
        for cursor in skipped {
            skippedCursors.insert(cursor)
            skippedBatches.append(SkippedBatch(cursor: cursor, step: failedStep, reason: reason))
        }
        try emit(.actionTaken(ActionRecord(
            step: failedStep, action: .rollback, reason: reason, restoredStep: snapshot.progress.step,
            skippedBatches: skipped.map(\.index), retriesLeft: policy.maxRollbacks - rollbacksInARow)))
        if policy.resetsPipelineState {
            pipelineState = pipeline.makeState(for: model.parameters)
            try emit(.actionTaken(ActionRecord(step: failedStep, action: .resetOptimizerState, reason: "rollback: \(reason)")))
        }
        if policy.learningRateBackoff != 1 {
            try scaleLearningRate(by: policy.learningRateBackoff, reason: "rollback backoff")
        }
        return .continue
    }

    /// Forward, loss and backward of one batch, gradients added into `gradients`.
    mutating func accumulateGradients(
        of batch: Batch<Scalar>, into gradients: inout ParameterSet<Scalar>, needs: ObservationNeeds
    ) -> (loss: Double, windowNorms: [Double], flows: [[Double]]?) {
        let wantsFlow = needs.contains(.gradientFlow)
        // The initializer refused truncated BPTT without a sequence path.
        if configuration.truncatedBPTT != nil || wantsFlow, let sequenceTraining {
            return sequenceTraining.windowedGradients(&self, batch, &gradients, wantsFlow)
        }
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
    ) -> (loss: Double, windowNorms: [Double], flows: [[Double]]?) where M.Scalar == Scalar {
        // Rank 2 is a sequence of indices [time, batch] for a model that starts with an embedding.
        precondition(
            batch.inputs.rank == 3 || batch.inputs.rank == 2,
            "Trainer: sequence inputs must be [time, batch, features] or indices [time, batch], got \(batch.inputs.shape)")
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
        let layerCount = recordsFlow ? sequenceModel.gradientFlowKeys.count : 0
        var flows: [[Double]]? = recordsFlow ? Array(repeating: [], count: layerCount) : nil
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
                if flows != nil { for layer in 0..<layerCount { flows![layer] += Array(repeating: 0, count: end - start) } }
                continue
            }
            var backwardContext = SequenceBackwardContext(
                truncationDepth: truncation?.backpropagationDepth, recordsGradientFlow: recordsFlow)
            if truncation == nil {
                _ = sequenceModel.backward(gradient, cache: cache, gradients: &gradients, context: &backwardContext)
            } else {
                var windowGradients = gradients.zerosLike()
                _ = sequenceModel.backward(gradient, cache: cache, gradients: &windowGradients, context: &backwardContext)
                windowNorms.append(windowGradients.globalNorm())
                gradients.add(windowGradients)
            }
            if recordsFlow, flows != nil {
                for (layer, profile) in backwardContext.gradientFlow.prefix(layerCount).enumerated() { flows![layer] += profile }
            }
        }
        return (totalLoss, windowNorms, flows)
    }
}
