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

    /// Writes `value` as JSON to `directory/name`, atomically.
    static func write<T: Encodable>(_ value: T, to directory: String, name: String) throws {
        let data = try encoder().encode(value)
        do {
            try data.write(to: URL(fileURLWithPath: directory).appendingPathComponent(name), options: .atomic)
        } catch {
            throw CommandError("\(directory)/\(name): cannot write (\(error.localizedDescription))")
        }
    }

    /// Reads `directory/name` as `T`, with errors naming the file.
    static func read<T: Decodable>(_ type: T.Type, from directory: String, name: String, purpose: String) throws -> T {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandError("\(path): missing; \(purpose)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw CommandError("\(path): unreadable (\(error))")
        }
    }
}
