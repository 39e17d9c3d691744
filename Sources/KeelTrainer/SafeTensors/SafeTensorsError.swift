/// Why bytes are not a valid safetensors file. Offsets are byte offsets in the file.
public enum SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is shorter than the 8-byte header length.
    case truncatedHeaderLength(fileSize: Int)
    /// The header length does not fit in the file.
    case headerOutOfBounds(headerLength: UInt64, fileSize: Int)
    /// The header is not a JSON object (detail from the parser).
    case invalidHeader(detail: String)
    /// A tensor entry is malformed (missing or wrong `dtype`, `shape` or `data_offsets`).
    case invalidEntry(name: String, detail: String)
    /// A dtype other than F32 and F64.
    case unsupportedDType(name: String, dtype: String)
    /// `data_offsets` do not match the shape and dtype.
    case sizeMismatch(name: String, expectedBytes: Int, foundBytes: Int)
    /// The data section is not exactly covered by the tensors, in order and without gaps.
    case layoutMismatch(name: String, expectedBegin: Int, foundBegin: Int)
    /// The data section's size differs from what the header describes (e.g. a truncated file).
    case dataSizeMismatch(expected: Int, found: Int, dataOffset: Int)
    /// No tensor of that name.
    case missingTensor(name: String)
    /// The tensor's dtype is not the requested scalar type.
    case dtypeMismatch(name: String, expected: String, found: String)

    /// A sentence naming what is wrong and where.
    public var description: String {
        switch self {
        case .truncatedHeaderLength(let size):
            "safetensors: the file has \(size) bytes, fewer than the 8-byte header length"
        case .headerOutOfBounds(let length, let size):
            "safetensors: the header length at offset 0 is \(length), but only \(max(0, size - 8)) bytes follow it"
        case .invalidHeader(let detail):
            "safetensors: the header at offset 8 is not a valid JSON object: \(detail)"
        case .invalidEntry(let name, let detail):
            "safetensors: tensor \"\(name)\": \(detail)"
        case .unsupportedDType(let name, let dtype):
            "safetensors: tensor \"\(name)\" has dtype \(dtype); supported: F32, F64"
        case .sizeMismatch(let name, let expected, let found):
            "safetensors: tensor \"\(name)\" needs \(expected) bytes for its shape and dtype, its data_offsets span \(found)"
        case .layoutMismatch(let name, let expected, let found):
            "safetensors: tensor \"\(name)\" begins at data offset \(found), expected \(expected) (tensors must cover the data section contiguously)"
        case .dataSizeMismatch(let expected, let found, let offset):
            "safetensors: the data section at file offset \(offset) has \(found) bytes, the header describes \(expected)"
        case .missingTensor(let name):
            "safetensors: no tensor \"\(name)\""
        case .dtypeMismatch(let name, let expected, let found):
            "safetensors: tensor \"\(name)\" is \(found), expected \(expected)"
        }
    }
}
