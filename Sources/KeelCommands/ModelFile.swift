import Foundation
import KeelData
import KeelTrainer

/// `model.json` in a `keel train` checkpoint directory: what `keel sample` needs to rebuild the
/// model before loading `weights.safetensors`.
public struct ModelFile: Codable, Sendable, Equatable {
    /// The name of this file in a checkpoint directory.
    public static let fileName = "model.json"
    /// The file holding a text model's character vocabulary.
    public static let vocabularyFileName = "vocabulary.json"
    /// The file holding the run's ``TrainOptions``, read back by `--resume`.
    public static let optionsFileName = "keel-options.json"
    /// The file holding a CSV model's normalization statistics.
    public static let normalizationFileName = "normalization.json"

    /// "text", "csv", "npy" or "task".
    public var data: String
    /// The architecture to rebuild before loading the weights.
    public var specification: RecurrentNetworkSpecification
    /// The `--sequence-length` the model was trained with, if one was given.
    public var sequenceLength: Int?

    /// A description of a model trained on `data` ("text", "csv", "npy" or "task").
    public init(data: String, specification: RecurrentNetworkSpecification, sequenceLength: Int?) {
        self.data = data
        self.specification = specification
        self.sequenceLength = sequenceLength
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `value` as the JSON bytes of a checkpoint file.
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        do {
            return [UInt8](try encoder().encode(value))
        } catch {
            throw CommandError("cannot encode \(T.self) as JSON")
        }
    }

    /// Decodes the verified bytes of the checkpoint file `directory/name` as `T`, with errors
    /// naming the file and the key.
    static func decode<T: Decodable>(_ type: T.Type, from checkpoint: CheckpointDirectory.Verified, name: String, purpose: String) throws -> T {
        let path = URL(fileURLWithPath: checkpoint.path).appendingPathComponent(name).path
        guard let bytes = checkpoint.files[name] else { throw CommandError("\(path): missing; \(purpose)") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw CommandError("\(path): \(CheckpointDirectory.describeDecodingError(error))")
        }
    }
}
