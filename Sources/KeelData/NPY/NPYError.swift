/// Why a file could not be read (or written) as a NumPy `.npy` array. Each case names the file
/// and the byte offset where the problem was found.
public enum NPYError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read or written.
    case io(file: String, reason: String)
    /// The file does not start with `\x93NUMPY`.
    case badMagic(file: String, byteOffset: Int)
    /// A format version other than 1.0, 2.0 or 3.0.
    case unsupportedVersion(file: String, byteOffset: Int, major: UInt8, minor: UInt8)
    /// The file ends before the header or the data does; `expected` is the size it needs.
    case truncated(file: String, byteOffset: Int, expected: Int)
    /// The header dictionary could not be parsed.
    case headerParse(file: String, byteOffset: Int, reason: String)
    /// The dtype is not `<f4` or `<f8` (`|` and `=` also accepted for little-endian hosts).
    case unsupportedDType(file: String, byteOffset: Int, dtype: String)
    /// The array is stored in Fortran (column-major) order.
    case fortranOrder(file: String, byteOffset: Int)
    /// Bytes follow the array's data.
    case trailingBytes(file: String, byteOffset: Int, count: Int)

    public var description: String {
        switch self {
        case .io(let file, let reason): "\(file): \(reason)"
        case .badMagic(let file, let offset): "\(file): byte offset \(offset): not a .npy file (magic string \\x93NUMPY missing)"
        case .unsupportedVersion(let file, let offset, let major, let minor):
            "\(file): byte offset \(offset): unsupported .npy format version \(major).\(minor)"
        case .truncated(let file, let offset, let expected):
            "\(file): byte offset \(offset): file truncated (\(expected) bytes needed)"
        case .headerParse(let file, let offset, let reason): "\(file): byte offset \(offset): bad .npy header: \(reason)"
        case .unsupportedDType(let file, let offset, let dtype):
            "\(file): byte offset \(offset): unsupported dtype '\(dtype)' (only little-endian float32 '<f4' and float64 '<f8')"
        case .fortranOrder(let file, let offset):
            "\(file): byte offset \(offset): Fortran-order arrays are not supported; save with C order (np.ascontiguousarray)"
        case .trailingBytes(let file, let offset, let count): "\(file): byte offset \(offset): \(count) unexpected bytes after the array data"
        }
    }
}
