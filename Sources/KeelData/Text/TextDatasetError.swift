/// Why a text file could not become a ``CharacterTextDataset``. Each case names the file.
public enum TextDatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(file: String, reason: String)
    /// The bytes are not valid UTF-8; `byteOffset` is where the first bad sequence starts.
    case invalidUTF8(file: String, byteOffset: Int)
    /// The file holds no characters.
    case empty(file: String)
    /// A split holds too few characters for even one batch.
    case tooShort(file: String, split: String, characters: Int, needed: Int)
    /// A character is not in the vocabulary (when encoding with a saved vocabulary).
    case unknownCharacter(file: String, character: String, characterOffset: Int)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read the file: \(reason)"
        case .invalidUTF8(let file, let offset): "\(file): byte offset \(offset): invalid UTF-8"
        case .empty(let file): "\(file): the file holds no text"
        case .tooShort(let file, let split, let characters, let needed):
            "\(file): the \(split) split has \(characters) characters; one batch needs \(needed)"
        case .unknownCharacter(let file, let character, let offset):
            "\(file): character offset \(offset): \(character.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")) is not in the vocabulary"
        }
    }
}
