import Foundation

/// Something the trainer did, for event handlers (`@Sendable (TrainerEvent) -> Void`).
///
/// The JSON form is flat: a `"kind"` naming the case plus the case's fields, e.g.
/// `{"kind":"updateSkipped","step":7,"epoch":0,"index":6,"reason":"…"}` — one object per line
/// makes a JSON Lines log.
public enum TrainerEvent: Hashable, Sendable {
    /// `fit` began at `step` and `cursor`.
    case fitStarted(step: Int, cursor: TrainingCursor)
    /// An optimizer step finished (update applied or skipped).
    case stepCompleted(StepRecord)
    /// A monitor asked to skip the update of `step`; the parameters did not change.
    case updateSkipped(step: Int, cursor: TrainingCursor, reason: String)
    /// The learning-rate scale changed (monitor verdict, plateau or rollback backoff).
    case learningRateScaled(step: Int, factor: Double, scale: Double, reason: String)
    /// The trainer restored the snapshot taken after `restoredStep` and will skip `skipped`.
    case rolledBack(step: Int, restoredStep: Int, skipped: [TrainingCursor], rollbackCount: Int, reason: String)
    /// Validation ran after `step`.
    case validated(step: Int, epoch: Int, metrics: ValidationMetrics)
    /// The last batch of `epoch` was consumed.
    case epochCompleted(epoch: Int, step: Int, meanLoss: Double?)
    /// A checkpoint was written.
    case checkpointSaved(step: Int, path: String)
    /// `fit` returned.
    case fitFinished(step: Int, reason: StopReason)

    /// The case name used as `"kind"` in JSON.
    public var kind: String {
        switch self {
        case .fitStarted: "fitStarted"
        case .stepCompleted: "stepCompleted"
        case .updateSkipped: "updateSkipped"
        case .learningRateScaled: "learningRateScaled"
        case .rolledBack: "rolledBack"
        case .validated: "validated"
        case .epochCompleted: "epochCompleted"
        case .checkpointSaved: "checkpointSaved"
        case .fitFinished: "fitFinished"
        }
    }
}

extension TrainerEvent: Codable {
    private enum Key: String, CodingKey {
        case kind, step, epoch, index, reason, factor, scale, restoredStep, skipped, rollbackCount, metrics, meanLoss, path
        case stopReason
    }

    /// Encodes the flat JSON form described on ``TrainerEvent``.
    public func encode(to encoder: any Encoder) throws {
        if case .stepCompleted(let record) = self { try record.encode(to: encoder) }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case .fitStarted(let step, let cursor):
            try container.encode(step, forKey: .step)
            try container.encode(cursor.epoch, forKey: .epoch)
            try container.encode(cursor.index, forKey: .index)
        case .stepCompleted:
            break
        case .updateSkipped(let step, let cursor, let reason):
            try container.encode(step, forKey: .step)
            try container.encode(cursor.epoch, forKey: .epoch)
            try container.encode(cursor.index, forKey: .index)
            try container.encode(reason, forKey: .reason)
        case .learningRateScaled(let step, let factor, let scale, let reason):
            try container.encode(step, forKey: .step)
            try container.encode(factor, forKey: .factor)
            try container.encode(scale, forKey: .scale)
            try container.encode(reason, forKey: .reason)
        case .rolledBack(let step, let restoredStep, let skipped, let rollbackCount, let reason):
            try container.encode(step, forKey: .step)
            try container.encode(restoredStep, forKey: .restoredStep)
            try container.encode(skipped, forKey: .skipped)
            try container.encode(rollbackCount, forKey: .rollbackCount)
            try container.encode(reason, forKey: .reason)
        case .validated(let step, let epoch, let metrics):
            try container.encode(step, forKey: .step)
            try container.encode(epoch, forKey: .epoch)
            try container.encode(metrics, forKey: .metrics)
        case .epochCompleted(let epoch, let step, let meanLoss):
            try container.encode(epoch, forKey: .epoch)
            try container.encode(step, forKey: .step)
            try container.encodeIfPresent(meanLoss, forKey: .meanLoss)
        case .checkpointSaved(let step, let path):
            try container.encode(step, forKey: .step)
            try container.encode(path, forKey: .path)
        case .fitFinished(let step, let reason):
            try container.encode(step, forKey: .step)
            try container.encode(reason, forKey: .stopReason)
            try container.encode(reason.description, forKey: .reason)
        }
    }

    /// Decodes the flat JSON form; an unknown `"kind"` is a `DecodingError.dataCorrupted`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let kind = try container.decode(String.self, forKey: .kind)
        func cursor() throws -> TrainingCursor {
            TrainingCursor(epoch: try container.decode(Int.self, forKey: .epoch), index: try container.decode(Int.self, forKey: .index))
        }
        switch kind {
        case "fitStarted":
            self = .fitStarted(step: try container.decode(Int.self, forKey: .step), cursor: try cursor())
        case "stepCompleted":
            self = .stepCompleted(try StepRecord(from: decoder))
        case "updateSkipped":
            self = .updateSkipped(
                step: try container.decode(Int.self, forKey: .step), cursor: try cursor(),
                reason: try container.decode(String.self, forKey: .reason))
        case "learningRateScaled":
            self = .learningRateScaled(
                step: try container.decode(Int.self, forKey: .step), factor: try container.decode(Double.self, forKey: .factor),
                scale: try container.decode(Double.self, forKey: .scale), reason: try container.decode(String.self, forKey: .reason))
        case "rolledBack":
            self = .rolledBack(
                step: try container.decode(Int.self, forKey: .step), restoredStep: try container.decode(Int.self, forKey: .restoredStep),
                skipped: try container.decode([TrainingCursor].self, forKey: .skipped),
                rollbackCount: try container.decode(Int.self, forKey: .rollbackCount),
                reason: try container.decode(String.self, forKey: .reason))
        case "validated":
            self = .validated(
                step: try container.decode(Int.self, forKey: .step), epoch: try container.decode(Int.self, forKey: .epoch),
                metrics: try container.decode(ValidationMetrics.self, forKey: .metrics))
        case "epochCompleted":
            self = .epochCompleted(
                epoch: try container.decode(Int.self, forKey: .epoch), step: try container.decode(Int.self, forKey: .step),
                meanLoss: try container.decodeIfPresent(Double.self, forKey: .meanLoss))
        case "checkpointSaved":
            self = .checkpointSaved(step: try container.decode(Int.self, forKey: .step), path: try container.decode(String.self, forKey: .path))
        case "fitFinished":
            self = .fitFinished(step: try container.decode(Int.self, forKey: .step), reason: try container.decode(StopReason.self, forKey: .stopReason))
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown trainer event kind \"\(kind)\"")
        }
    }
}
