extension TrainingEvent: Codable {
    private enum TypeKey: String, CodingKey {
        case type
    }

    /// Writes `type` and the payload's fields into one flat object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .stepCompleted(let record): try record.encode(to: encoder)
        case .validation(let record): try record.encode(to: encoder)
        case .monitorFired(let record): try record.encode(to: encoder)
        case .actionTaken(let record): try record.encode(to: encoder)
        case .checkpointSaved(let record): try record.encode(to: encoder)
        case .epochCompleted(let record): try record.encode(to: encoder)
        case .trainingFinished(let record): try record.encode(to: encoder)
        case .gradientFlow(let record): try record.encode(to: encoder)
        case .recurrentDynamics(let record): try record.encode(to: encoder)
        }
    }

    /// Reads `type`, then the payload from the same object; an unknown type throws.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "stepCompleted": self = .stepCompleted(try StepRecord(from: decoder))
        case "validation": self = .validation(try ValidationRecord(from: decoder))
        case "monitorFired": self = .monitorFired(try MonitorFiredRecord(from: decoder))
        case "actionTaken": self = .actionTaken(try ActionRecord(from: decoder))
        case "checkpointSaved": self = .checkpointSaved(try CheckpointRecord(from: decoder))
        case "epochCompleted": self = .epochCompleted(try EpochRecord(from: decoder))
        case "trainingFinished": self = .trainingFinished(try FinishRecord(from: decoder))
        case "gradientFlow": self = .gradientFlow(try GradientFlowRecord(from: decoder))
        case "recurrentDynamics": self = .recurrentDynamics(try RecurrentDynamicsRecord(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "unknown training event type \"\(type)\"")
        }
    }
}
