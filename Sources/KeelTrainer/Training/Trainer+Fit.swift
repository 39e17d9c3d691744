extension Trainer {
    /// Trains until `epochs` epochs are complete (counting from epoch 0: a resumed trainer
    /// continues where its cursor is), `maxSteps` total steps are reached, early stopping fires,
    /// a ``TrainerConfiguration/stopConditions`` entry holds at a validation, or a monitor stops
    /// training. On the way it writes the checkpoints of ``TrainerConfiguration/checkpoints``;
    /// when it returns, non-finite weights turn any ending into
    /// ``StopReason/nonFiniteWeights(parameter:)`` (and no checkpoint is written with them).
    ///
    /// - Parameters:
    ///   - epochs: the epoch count to reach.
    ///   - source: training batches, addressed by the trainer's cursor.
    ///   - validation: evaluated per ``TrainerConfiguration/validationSchedule`` (batches of its
    ///     epoch 0), in inference mode.
    ///   - maxSteps: a limit on ``step`` (total, not per call).
    /// - Throws: errors of the gradient pipeline (`GradientTransform.apply(to:state:context:)`)
    ///   and of the event sinks (`EventSink.receive(_:)`, `EventSink.flush()`), as thrown.
    @discardableResult
    public mutating func fit<Source: BatchSource, Validation: BatchSource>(
        epochs: Int, source: Source, validation: Validation?, maxSteps: Int? = nil
    ) throws -> FitResult where Source.Scalar == Scalar, Validation.Scalar == Scalar {
        precondition(source.batchesPerEpoch >= 1, "Trainer.fit: the source has no batches")
        try synchronizeWithRoot()
        if snapshots.isEmpty { takeSnapshot() }
        epochStart = ContinuousClock.now
        let reason = try finish(try runLoop(epochs: epochs, source: source, validation: validation, maxSteps: maxSteps), validation: validation)
        try emit(.trainingFinished(FinishRecord(step: progress.step, reason: reason.eventName, detail: reason.description)))
        try flushSinks()
        return FitResult(stopReason: reason, step: progress.step, lastLoss: progress.lastLoss, lastValidation: progress.lastValidation)
    }

    /// Trains without validation; see ``fit(epochs:source:validation:maxSteps:)``.
    @discardableResult
    public mutating func fit<Source: BatchSource>(epochs: Int, source: Source, maxSteps: Int? = nil) throws -> FitResult
    where Source.Scalar == Scalar {
        try fit(epochs: epochs, source: source, validation: Source?.none, maxSteps: maxSteps)
    }

    private mutating func runLoop<Source: BatchSource, Validation: BatchSource>(
        epochs: Int, source: Source, validation: Validation?, maxSteps: Int?
    ) throws -> StopReason where Source.Scalar == Scalar, Validation.Scalar == Scalar {
        while true {
            if progress.cursor.epoch >= epochs { return .completed }
            if progress.cursor.index >= source.batchesPerEpoch {
                let epoch = progress.cursor.epoch
                let meanLoss = progress.epochLossCount > 0 ? progress.epochLossSum / Double(progress.epochLossCount) : nil
                progress.epochLossSum = 0
                progress.epochLossCount = 0
                progress.cursor = TrainingCursor(epoch: epoch + 1, index: 0)
                let now = ContinuousClock.now
                let duration = epochStart.map { Self.seconds(now - $0) }
                epochStart = now
                try emit(.epochCompleted(EpochRecord(epoch: epoch, step: progress.step, meanLoss: meanLoss, durationSeconds: duration)))
                if case .everyEpoch = configuration.validationSchedule, let validation {
                    if let stop = try validate(validation, epoch: epoch) { return stop }
                }
                continue
            }
            if let maxSteps, progress.step >= maxSteps { return .reachedMaxSteps }

            var cursors: [TrainingCursor] = []
            var next = progress.cursor
            while cursors.count < configuration.accumulationSteps && next.index < source.batchesPerEpoch {
                if !skippedCursors.contains(next) { cursors.append(next) }
                next.index += 1
            }
            guard !cursors.isEmpty else {
                progress.cursor = next
                continue
            }
            switch try runStep(cursors, source: source, next: next) {
            case .continue:
                break
            case .stop(let reason):
                return reason
            }
            if case .everySteps(let interval) = configuration.validationSchedule, progress.step % interval == 0, let validation {
                if let stop = try validate(validation, epoch: progress.cursor.epoch) { return stop }
            }
            if let every = configuration.checkpoints.every, progress.step % every == 0, let directory = configuration.checkpoints.directory {
                if let failure = try writeCheckpoint(to: directory) { return failure }
                latestCheckpointStep = progress.step
            }
        }
    }

    /// What happens when the loop ends: non-finite weights override any ending, the final
    /// validation (``TrainerConfiguration/validatesAtEnd``) runs unless the last one was at this
    /// step, and the latest checkpoint is written (a solved or stopped model included; never a
    /// diverged one).
    private mutating func finish<Validation: BatchSource>(_ reason: StopReason, validation: Validation?) throws -> StopReason
    where Validation.Scalar == Scalar {
        if case .nonFiniteWeights = reason { return reason }
        if let parameter = firstNonFiniteParameter() { return .nonFiniteWeights(parameter: parameter) }
        var reason = reason
        if configuration.validatesAtEnd, let validation, progress.lastValidationStep != progress.step {
            // The epoch of the last batch trained (the cursor may already point at the next epoch).
            let epoch = progress.cursor.index == 0 ? max(0, progress.cursor.epoch - 1) : progress.cursor.epoch
            if let stop = try validate(validation, epoch: epoch) {
                switch reason {
                case .completed, .reachedMaxSteps: reason = stop
                default: break
                }
            }
        }
        if case .metricDiverged = reason { return reason }
        if case .nonFiniteWeights = reason { return reason }
        if let directory = configuration.checkpoints.directory, latestCheckpointStep != progress.step {
            if let failure = try writeCheckpoint(to: directory) { return failure }
            latestCheckpointStep = progress.step
        }
        return reason
    }
}
