import Foundation
import KeelCore
import KeelData
import KeelTrainer

/// A character-level checkpoint written by `keel train --text`: its model description, vocabulary
/// and weights, checked against each other. `keel sample` and `keel evaluate` read it.
struct CharacterCheckpoint {
    let model: ModelFile
    let vocabulary: CharacterVocabulary
    let weights: SafeTensorsFile
    let weightsPath: String

    /// Reads `directory`; errors name the file and what is wrong, and `command` what needed it.
    init(directory: String, command: String) throws {
        let weightsName = "weights.safetensors"
        // Every file is checked against the manifest before any is parsed.
        let checkpoint = try CheckpointDirectory.verify(directory, required: [weightsName, ModelFile.fileName])
        model = try ModelFile.decode(
            ModelFile.self, from: checkpoint, name: ModelFile.fileName, purpose: "\(command) needs a checkpoint written by keel train --text")
        guard model.data == "text" else {
            throw CommandError(
                "\(directory)/\(ModelFile.fileName): the model was trained on \(model.data) data; \(command) needs a character-level model (keel train --text)")
        }
        guard let embedding = model.specification.embedding else {
            throw CommandError("\(directory)/\(ModelFile.fileName): a text model without an embedding (the file is inconsistent)")
        }
        vocabulary = try ModelFile.decode(
            CharacterVocabulary.self, from: checkpoint, name: ModelFile.vocabularyFileName, purpose: "it holds the characters of a --text model")
        guard vocabulary.count == embedding.vocabularySize, vocabulary.count == model.specification.outputSize else {
            throw CommandError(
                "\(directory)/\(ModelFile.vocabularyFileName): \(vocabulary.count) characters, but the model in \(ModelFile.fileName) has a vocabulary of \(embedding.vocabularySize)")
        }
        weightsPath = URL(fileURLWithPath: directory).appendingPathComponent(weightsName).path
        do { weights = try SafeTensorsFile(bytes: checkpoint.files[weightsName]!) } catch { throw CommandError("\(weightsPath): \(error)") }
    }

    /// Replaces every parameter of `model` with the checkpoint's tensor of the same key and shape.
    static func loadWeights<L: RecurrentSequenceLayer>(
        into model: inout RecurrentNetwork<L>, from weights: SafeTensorsFile, path: String
    ) throws where L.Scalar == Float {
        var failure: (any Error)?
        model.updateParameters { key, tensor in
            guard failure == nil else { return }
            do {
                let loaded = try weights.tensor(named: key.rawValue, as: Float.self)
                guard loaded.shape == tensor.shape else {
                    throw CommandError("\(path): \(key.rawValue) has shape \(loaded.shape), model.json implies \(tensor.shape)")
                }
                tensor = loaded
            } catch let error as CommandError {
                failure = error
            } catch {
                failure = CommandError("\(path): \(error) (does model.json match the weights?)")
            }
        }
        if let failure { throw failure }
    }
}
