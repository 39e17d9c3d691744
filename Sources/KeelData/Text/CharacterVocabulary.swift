/// The alphabet of a character-level language model: the sorted unique Unicode scalars of its
/// training text, each with its index.
///
/// "Character" means Unicode scalar, not Swift `Character` (grapheme cluster): scalars are what a
/// byte-level model sees after decoding, and grapheme clustering would, for example, merge
/// "\r\n" into one symbol. Symbols are sorted by scalar value, so the same text always gives the
/// same indices.
///
/// `Codable` (as the string of all symbols, in order), so a checkpoint can store it and
/// sampling can decode the model's outputs later.
public struct CharacterVocabulary: Sendable, Hashable, Codable {
    /// The symbols, sorted by scalar value; a symbol's index is its class.
    public let symbols: [Unicode.Scalar]
    private let indices: [Unicode.Scalar: Int]

    /// The vocabulary of `scalars`: their sorted unique values.
    public init<S: Sequence>(of scalars: S) where S.Element == Unicode.Scalar {
        symbols = Set(scalars).sorted { $0.value < $1.value }
        indices = Dictionary(uniqueKeysWithValues: symbols.enumerated().map { ($1, $0) })
    }

    /// Number of symbols.
    public var count: Int { symbols.count }

    /// The index of `symbol`, or `nil` if it is not in the vocabulary.
    public func index(of symbol: Unicode.Scalar) -> Int? { indices[symbol] }

    /// The indices of the scalars of `text`.
    ///
    /// - Throws: ``TextDatasetError/unknownCharacter(file:character:characterOffset:)`` (file
    ///   "<text>") for a scalar outside the vocabulary.
    public func encode(_ text: String) throws -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(text.unicodeScalars.count)
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            guard let index = indices[scalar] else {
                throw TextDatasetError.unknownCharacter(file: "<text>", character: String(scalar), characterOffset: offset)
            }
            result.append(index)
        }
        return result
    }

    /// The text whose scalars have `indices`.
    ///
    /// - Precondition: every index is in 0 ..< count.
    public func decode<C: Collection>(_ indices: C) -> String where C.Element == Int {
        var scalars = String.UnicodeScalarView()
        for index in indices {
            precondition(index >= 0 && index < symbols.count, "CharacterVocabulary.decode: index \(index) is outside 0..<\(symbols.count)")
            scalars.append(symbols[index])
        }
        return String(scalars)
    }

    private enum CodingKeys: String, CodingKey { case symbols }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .symbols)
        let scalars = Array(text.unicodeScalars)
        self.init(of: scalars)
        guard symbols == scalars else {
            throw DecodingError.dataCorruptedError(
                forKey: .symbols, in: container,
                debugDescription: "vocabulary symbols must be unique and sorted by scalar value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: symbols)
        try container.encode(String(view), forKey: .symbols)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.symbols == rhs.symbols }

    public func hash(into hasher: inout Hasher) { hasher.combine(symbols) }
}
