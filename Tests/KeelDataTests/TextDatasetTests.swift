import Foundation
import Testing
import KeelData

@Suite struct TextDatasetTests {
    @Test func vocabularyEncodeDecodeAndCodable() throws {
        let vocabulary = CharacterVocabulary(of: "hello, wörld\r\n".unicodeScalars)
        #expect(vocabulary.symbols.map(\.value) == vocabulary.symbols.map(\.value).sorted())
        #expect(vocabulary.count == Set("hello, wörld\r\n".unicodeScalars).count)
        let encoded = try vocabulary.encode("hello\r\n")
        #expect(encoded.count == 7)  // "\r\n" stays two symbols
        #expect(vocabulary.decode(encoded) == "hello\r\n")
        let json = try JSONEncoder().encode(vocabulary)
        #expect(try JSONDecoder().decode(CharacterVocabulary.self, from: json) == vocabulary)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CharacterVocabulary.self, from: Data(#"{"symbols":"ba"}"#.utf8)) }
        #expect(throws: TextDatasetError.self) { try vocabulary.encode("xyz") }
    }

    @Test func datasetSplitAndBatches() throws {
        let text = String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 40)
        let url = try temporaryFile("text.txt", text: text)
        let data = try CharacterTextDataset(contentsOf: url, validationFraction: 0.1)
        let n = text.unicodeScalars.count
        #expect(data.symbols.count == n)
        #expect(data.trainingCount == n - Int(0.1 * Double(n)))
        #expect(data.vocabulary.decode(data.symbols.map(Int.init)) == text)
        let source: CharacterBatchSource<Float> = try data.batches(.training, sequenceLength: 16, batchSize: 8, shuffleSeed: 11)
        #expect(source.batchesPerEpoch == ((data.trainingCount - 1) / 16) / 8)
        let batch = source.batch(epoch: 0, index: 1)
        #expect(batch.inputs.shape == [16, 8] && batch.targets.shape == [16, 8])
        let training = data.symbols(of: .training)
        for b in 0..<8 {
            for t in 0..<15 { #expect(batch.targets[scalarAt: t, b] == batch.inputs[scalarAt: t + 1, b]) }
            // Each column is a contiguous chunk of the training text starting at a multiple of 16.
            let first = (0..<(training.count - 16)).filter { $0 % 16 == 0 }.first { start in
                (0..<16).allSatisfy { Float(training[training.startIndex + start + $0]) == batch.inputs[scalarAt: $0, b] }
                    && Float(training[training.startIndex + start + 16]) == batch.targets[scalarAt: 15, b]
            }
            #expect(first != nil)
        }
        #expect(source.batch(epoch: 0, index: 1).inputs == batch.inputs)
        #expect(source.batch(epoch: 1, index: 1).inputs != batch.inputs)
        let validation: CharacterBatchSource<Double> = try data.batches(.validation, sequenceLength: 8, batchSize: 2)
        #expect(validation.batch(epoch: 0, index: 0).inputs[scalarAt: 0, 0] == Double(data.symbols[data.trainingCount]))
    }

    @Test func streamSplitHoldsOutTheEndOfEveryRowAsCharRNNDoes() throws {
        // 4 rows of 25 characters (the 3 trailing ones are cut), the last 20% (5) of each held out.
        let text = (0..<103).map { String(UnicodeScalar(UInt8(33 + $0 % 90))) }.joined()
        let data = try CharacterTextDataset(text: text, validationFraction: 0.2, validationStreams: 4)
        let all = data.symbols
        var training: [Int32] = [], validation: [Int32] = []
        for row in 0..<4 {
            training += all[(row * 25)..<(row * 25 + 20)]
            validation += all[(row * 25 + 20)..<(row * 25 + 25)]
        }
        #expect(Array(data.symbols(of: .training)) == training)
        #expect(Array(data.symbols(of: .validation)) == validation)
        #expect(data.trainingCount == 80)
        // One stream is the tail split.
        let tail = try CharacterTextDataset(text: text, validationFraction: 0.2, validationStreams: 1)
        #expect(Array(tail.symbols(of: .validation)) == Array(all[(103 - 20)...]))
        #expect(throws: DataConfigurationError.self) { try CharacterTextDataset(text: text, validationStreams: 0) }
        #expect(throws: DataConfigurationError.self) { try CharacterTextDataset(text: "abc", validationStreams: 4) }
    }

    @Test func invalidUTF8ReportsByteOffset() throws {
        let url = try temporaryFile("bad.txt", bytes: Array("héllo".utf8) + [0xC3, 0x28] + Array("abc".utf8))
        #expect(throws: TextDatasetError.invalidUTF8(file: url.path, byteOffset: 6)) { try CharacterTextDataset(contentsOf: url) }
        let message = String(describing: TextDatasetError.invalidUTF8(file: url.path, byteOffset: 6))
        #expect(message.contains(url.path) && message.contains("6"))
    }

    @Test func emptyShortAndMissingFiles() throws {
        let empty = try temporaryFile("empty.txt", text: "")
        #expect(throws: TextDatasetError.empty(file: empty.path)) { try CharacterTextDataset(contentsOf: empty) }
        let bom = try temporaryFile("bom.txt", bytes: [0xEF, 0xBB, 0xBF])
        #expect(throws: TextDatasetError.empty(file: bom.path)) { try CharacterTextDataset(contentsOf: bom) }
        let short = try temporaryFile("short.txt", text: "abcdefghij")
        let data = try CharacterTextDataset(contentsOf: short, validationFraction: 0)
        #expect(throws: TextDatasetError.tooShort(file: short.path, split: "training", characters: 10, needed: 21)) {
            let _: CharacterBatchSource<Float> = try data.batches(.training, sequenceLength: 10, batchSize: 2)
        }
        let missing = URL(fileURLWithPath: "/nonexistent/keel/input.txt")
        #expect { try CharacterTextDataset(contentsOf: missing) } throws: { error in
            guard case TextDatasetError.unreadable(let file, _) = error else { return false }
            return file == missing.path
        }
        #expect(throws: DataConfigurationError.self) { try CharacterTextDataset(text: "abc", validationFraction: 1) }
    }
}
