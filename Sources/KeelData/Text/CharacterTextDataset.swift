import Foundation

/// A UTF-8 text file as a character-level language-modelling data set: its vocabulary, the text
/// as symbol indices, and a train/validation split.
///
/// The file must be valid UTF-8 (a leading byte-order mark is skipped); the first invalid byte
/// sequence is reported with its byte offset. The vocabulary is the sorted set of Unicode
/// scalars of the **whole** text, so validation never meets an unknown symbol.
///
/// **Split.** With `validationStreams` 1 (the default), the last `validationFraction` of the
/// symbols (rounded down) is the validation split and the rest the training split. With S > 1
/// streams, char-rnn's layout (`CharSplitLMMinibatchLoader`): the text, cut to a multiple of S, is
/// viewed as S contiguous rows, and the last `validationFraction` of *each* row is held out; each
/// split is its rows' parts in text order. The validation text then comes from all over the file
/// (char-rnn uses S = its batch size, 50) instead of only its end, which for tinyshakespeare is
/// one play whose names the training text never saw. Either way no training chunk overlaps
/// validation text.
///
/// ```swift
/// let data = try CharacterTextDataset(contentsOf: URL(fileURLWithPath: "input.txt"))
/// let train: CharacterBatchSource<Float> = try data.batches(.training, sequenceLength: 50, batchSize: 50, shuffleSeed: 123)
/// ```
///
/// ## References
/// - A. Karpathy, char-rnn (`github.com/karpathy/char-rnn`): the character-level LSTM set-up.
public struct CharacterTextDataset: Sendable {
    /// Which part of the text a batch source reads.
    public enum Split: String, Sendable, Hashable, Codable, CaseIterable {
        /// The first 1 − validationFraction of the text (of each stream).
        case training
        /// The last validationFraction of the text (of each stream).
        case validation
    }

    /// Where the text came from (a path, or "<text>"), used in error messages.
    public let source: String
    /// The sorted unique scalars of the whole text.
    public let vocabulary: CharacterVocabulary
    /// The whole text as vocabulary indices.
    public let symbols: [Int32]
    /// The training split's symbols.
    public let trainingSymbols: [Int32]
    /// The validation split's symbols.
    public let validationSymbols: [Int32]
    /// Symbols in the training split.
    public var trainingCount: Int { trainingSymbols.count }

    /// Loads and splits the UTF-8 text file at `url`.
    ///
    /// - Parameters:
    ///   - url: the text file.
    ///   - validationFraction: the share of the text held out for validation, in [0, 1).
    ///   - validationStreams: 1 holds out the end of the text; S > 1 the end of each of S
    ///     contiguous rows (char-rnn's split).
    ///   - vocabulary: a saved vocabulary to encode with (for example the checkpoint's); `nil`
    ///     builds one from the text.
    /// - Throws: ``TextDatasetError`` naming the file: unreadable, invalid UTF-8 (with the byte
    ///   offset), empty, or a scalar outside a given vocabulary; ``DataConfigurationError`` for a
    ///   fraction outside [0, 1) or fewer than one stream, or more streams than characters.
    public init(
        contentsOf url: URL, validationFraction: Double = 0.05, validationStreams: Int = 1, vocabulary: CharacterVocabulary? = nil
    ) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TextDatasetError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        let scalars = try Self.decodeUTF8(data, file: url.path)
        try self.init(
            scalars: scalars, source: url.path, validationFraction: validationFraction, validationStreams: validationStreams,
            vocabulary: vocabulary)
    }

    /// A data set over `text`, reported as `source` in errors.
    ///
    /// - Throws: as ``init(contentsOf:validationFraction:validationStreams:vocabulary:)``, except
    ///   unreadable and invalid UTF-8.
    public init(
        text: String, source: String = "<text>", validationFraction: Double = 0.05, validationStreams: Int = 1,
        vocabulary: CharacterVocabulary? = nil
    ) throws {
        try self.init(
            scalars: Array(text.unicodeScalars), source: source, validationFraction: validationFraction,
            validationStreams: validationStreams, vocabulary: vocabulary)
    }

    private init(
        scalars: [Unicode.Scalar], source: String, validationFraction: Double, validationStreams: Int, vocabulary: CharacterVocabulary?
    ) throws {
        guard validationFraction >= 0 && validationFraction < 1 else {
            throw DataConfigurationError(parameter: "validationFraction", reason: "must lie in [0, 1), got \(validationFraction)")
        }
        guard validationStreams >= 1 else {
            throw DataConfigurationError(parameter: "validationStreams", reason: "must be at least 1, got \(validationStreams)")
        }
        guard !scalars.isEmpty else { throw TextDatasetError.empty(file: source) }
        guard scalars.count >= validationStreams else {
            throw DataConfigurationError(
                parameter: "validationStreams", reason: "\(validationStreams) streams need at least as many characters; \(source) has \(scalars.count)")
        }
        let vocabulary = vocabulary ?? CharacterVocabulary(of: scalars)
        var symbols: [Int32] = []
        symbols.reserveCapacity(scalars.count)
        for (offset, scalar) in scalars.enumerated() {
            guard let index = vocabulary.index(of: scalar) else {
                throw TextDatasetError.unknownCharacter(file: source, character: String(scalar), characterOffset: offset)
            }
            symbols.append(Int32(index))
        }
        self.source = source
        self.vocabulary = vocabulary
        self.symbols = symbols
        // One stream is the whole text, so its split is the tail split.
        let rowLength = symbols.count / validationStreams
        let heldOut = Int(validationFraction * Double(rowLength))
        var training: [Int32] = [], validation: [Int32] = []
        training.reserveCapacity(validationStreams * (rowLength - heldOut))
        validation.reserveCapacity(validationStreams * heldOut)
        for row in 0..<validationStreams {
            let start = row * rowLength, cut = start + rowLength - heldOut
            training += symbols[start..<cut]
            validation += symbols[cut..<(start + rowLength)]
        }
        trainingSymbols = training
        validationSymbols = validation
    }

    /// The symbols of `split`.
    public func symbols(of split: Split) -> ArraySlice<Int32> {
        switch split {
        case .training: trainingSymbols[...]
        case .validation: validationSymbols[...]
        }
    }

    /// A batch source over `split`: inputs and next-symbol targets, both `[sequenceLength, batch]`.
    ///
    /// - Parameters:
    ///   - split: the training or the validation text.
    ///   - sequenceLength: the characters per sequence.
    ///   - batchSize: the sequences per batch.
    ///   - shuffleSeed: seeds the per-epoch order of the chunks; `nil` keeps them in text order
    ///     (what validation usually wants).
    ///   - type: the scalar type of the tensors.
    /// - Throws: ``TextDatasetError/tooShort(file:split:characters:needed:)`` if the split has
    ///   fewer than batchSize·sequenceLength + 1 symbols; ``DataConfigurationError`` for lengths
    ///   below 1.
    public func batches<Scalar: TensorScalar>(
        _ split: Split, sequenceLength: Int, batchSize: Int, shuffleSeed: UInt64? = nil, as type: Scalar.Type = Scalar.self
    ) throws -> CharacterBatchSource<Scalar> {
        guard sequenceLength >= 1 else {
            throw DataConfigurationError(parameter: "sequenceLength", reason: "must be at least 1, got \(sequenceLength)")
        }
        guard batchSize >= 1 else {
            throw DataConfigurationError(parameter: "batchSize", reason: "must be at least 1, got \(batchSize)")
        }
        let part = symbols(of: split)
        let needed = batchSize * sequenceLength + 1
        guard part.count >= needed else {
            throw TextDatasetError.tooShort(file: source, split: split.rawValue, characters: part.count, needed: needed)
        }
        return try CharacterBatchSource(symbols: Array(part), sequenceLength: sequenceLength, batchSize: batchSize, shuffleSeed: shuffleSeed)
    }

    /// Decodes UTF-8, skipping a leading byte-order mark, and reports the offset of the first
    /// invalid sequence.
    static func decodeUTF8(_ data: Data, file: String) throws -> [Unicode.Scalar] {
        let bytes = [UInt8](data)
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(bytes.count)
        var offset = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var iterator = bytes[offset...].makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                scalars.append(Unicode.UTF8.decode(encoded))
                offset += encoded.count
            case .emptyInput:
                return scalars
            case .error:
                throw TextDatasetError.invalidUTF8(file: file, byteOffset: offset)
            }
        }
    }
}
