import Foundation

/// Everything a training run reports, in the order it happens: the stream sinks receive and
/// `keel report RUN.jsonl` reads.
///
/// **JSON form** (stable): one flat object per event, a `type` field naming the case plus the
/// payload's fields at the top level, e.g.
///
///     {"type":"stepCompleted","step":41,"epoch":0,"loss":0.52,"globalGradientNorm":3.1,
///      "learningRate":0.001,"clipped":true,"updateApplied":true,"clipReports":[…],"durationSeconds":0.004}
///
/// `type` is one of `stepCompleted`, `validation`, `monitorFired`, `actionTaken`,
/// `checkpointSaved`, `epochCompleted`, `trainingFinished`, `gradientFlow`, `recurrentDynamics`;
/// the payload fields are documented on each record type. Absent optionals are omitted. Use
/// ``makeJSONEncoder()``/``makeJSONDecoder()``: they write NaN and ±∞ (a diverged loss) as the
/// strings `"NaN"`, `"Infinity"`, `"-Infinity"`, which plain JSON cannot hold as numbers.
public enum TrainingEvent: Sendable, Hashable {
    /// An optimizer step finished (applied or not).
    case stepCompleted(StepRecord)
    /// Validation ran.
    case validation(ValidationRecord)
    /// A monitor fired or warned.
    case monitorFired(MonitorFiredRecord)
    /// The trainer acted on a verdict.
    case actionTaken(ActionRecord)
    /// A checkpoint was written.
    case checkpointSaved(CheckpointRecord)
    /// An epoch ended.
    case epochCompleted(EpochRecord)
    /// Training ended.
    case trainingFinished(FinishRecord)
    /// Gradient-flow profiles of recurrent layers.
    case gradientFlow(GradientFlowRecord)
    /// Recurrent dynamics (σ_max, saturation, hidden growth).
    case recurrentDynamics(RecurrentDynamicsRecord)

    /// The `type` field of the JSON form.
    public var type: String {
        switch self {
        case .stepCompleted: "stepCompleted"
        case .validation: "validation"
        case .monitorFired: "monitorFired"
        case .actionTaken: "actionTaken"
        case .checkpointSaved: "checkpointSaved"
        case .epochCompleted: "epochCompleted"
        case .trainingFinished: "trainingFinished"
        case .gradientFlow: "gradientFlow"
        case .recurrentDynamics: "recurrentDynamics"
        }
    }

    /// The step the event belongs to.
    public var step: Int {
        switch self {
        case .stepCompleted(let record): record.step
        case .validation(let record): record.step
        case .monitorFired(let record): record.step
        case .actionTaken(let record): record.step
        case .checkpointSaved(let record): record.step
        case .epochCompleted(let record): record.step
        case .trainingFinished(let record): record.step
        case .gradientFlow(let record): record.step
        case .recurrentDynamics(let record): record.step
        }
    }

    /// A JSON encoder for the stable form: sorted keys, NaN/±∞ as strings, one line per event.
    public static func makeJSONEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    /// A JSON decoder matching ``makeJSONEncoder()``.
    public static func makeJSONDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }
}
