import Foundation

/// A parsed, validated safetensors file: the format of Hugging Face's `safetensors`, read by
/// PyTorch, JAX and NumPy tools.
///
/// Layout: an 8-byte little-endian unsigned header length N; N bytes of a UTF-8 JSON object
/// mapping each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets
/// relative to the data section), plus an optional `"__metadata__"` string-to-string map; then
/// the data section, raw little-endian scalars in row-major order. This implementation writes
/// F32 and F64, names sorted, the header padded with spaces to a multiple of 8 bytes.
///
/// Reading validates everything (lengths, JSON, each entry, dtype sizes, contiguous coverage of
/// the data section) and throws a ``SafeTensorsError`` naming the offset or tensor.
public struct SafeTensorsFile: Sendable {
    /// The entries by tensor name.
    public private(set) var entries: [String: SafeTensorsEntry]
    /// The `__metadata__` map.
    public private(set) var metadata: [String: String]
    /// The data section.
    let data: [UInt8]

    /// Tensor names, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// Parses and validates `bytes`.
    public init(bytes: [UInt8]) throws {
        guard bytes.count >= 8 else { throw SafeTensorsError.truncatedHeaderLength(fileSize: bytes.count) }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError.headerOutOfBounds(headerLength: headerLength, fileSize: bytes.count)
        }
        let headerEnd = 8 + Int(headerLength)
        // The strict parser: a duplicate tensor name is an error, not a silently kept last entry.
        let object: JSONValue
        do {
            object = try JSONValueParser.parse(Array(bytes[8..<headerEnd]))
        } catch {
            throw SafeTensorsError.invalidHeader(detail: "\(error)")
        }
        guard case .object(let header) = object else { throw SafeTensorsError.invalidHeader(detail: "not an object") }
        var metadata: [String: String] = [:]
        var entries: [String: SafeTensorsEntry] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard case .object(let map) = value else { throw SafeTensorsError.invalidHeader(detail: "__metadata__ is not an object") }
                for (key, item) in map {
                    guard case .string(let string) = item else { throw SafeTensorsError.invalidHeader(detail: "__metadata__[\(key)] is not a string") }
                    metadata[key] = string
                }
                continue
            }
            entries[name] = try Self.entry(name, value)
        }
        var expectedBegin = 0
        for (name, entry) in entries.sorted(by: { ($0.value.dataOffsets.lowerBound, $0.key) < ($1.value.dataOffsets.lowerBound, $1.key) }) {
            guard entry.dataOffsets.lowerBound == expectedBegin else {
                throw SafeTensorsError.layoutMismatch(name: name, expectedBegin: expectedBegin, foundBegin: entry.dataOffsets.lowerBound)
            }
            expectedBegin = entry.dataOffsets.upperBound
        }
        guard bytes.count - headerEnd == expectedBegin else {
            throw SafeTensorsError.dataSizeMismatch(expected: expectedBegin, found: bytes.count - headerEnd, dataOffset: headerEnd)
        }
        self.entries = entries
        self.metadata = metadata
        self.data = Array(bytes[headerEnd...])
    }

    /// The non-negative integers of a JSON array (exact below 2⁵³), or nil.
    private static func integers(_ value: JSONValue?) -> [Int]? {
        guard case .array(let items) = value else { return nil }
        var result: [Int] = []
        for item in items {
            guard case .number(let number) = item, number >= 0, number < 0x1p53, number == number.rounded() else { return nil }
            result.append(Int(number))
        }
        return result
    }

    private static func entry(_ name: String, _ value: JSONValue) throws -> SafeTensorsEntry {
        guard case .object(let object) = value else { throw SafeTensorsError.invalidEntry(name: name, detail: "not an object") }
        guard case .string(let dtype) = object["dtype"] else { throw SafeTensorsError.invalidEntry(name: name, detail: "missing string \"dtype\"") }
        guard let shape = integers(object["shape"]) else {
            throw SafeTensorsError.invalidEntry(name: name, detail: "\"shape\" is not an array of non-negative integers")
        }
        guard let offsets = integers(object["data_offsets"]), offsets.count == 2, offsets[0] <= offsets[1] else {
            throw SafeTensorsError.invalidEntry(name: name, detail: "\"data_offsets\" is not [begin, end] with begin ≤ end")
        }
        guard let size = SafeTensors.byteWidth(of: dtype) else { throw SafeTensorsError.unsupportedDType(name: name, dtype: dtype) }
        var count = size
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw SafeTensorsError.invalidEntry(name: name, detail: "shape \(shape) is too large") }
            count = product
        }
        guard count == offsets[1] - offsets[0] else {
            throw SafeTensorsError.sizeMismatch(name: name, expectedBytes: count, foundBytes: offsets[1] - offsets[0])
        }
        return SafeTensorsEntry(dtype: dtype, shape: shape, dataOffsets: offsets[0]..<offsets[1])
    }

    /// The tensor `name` as `Tensor<Scalar>`; its dtype must be `Scalar`'s (F32 for `Float`,
    /// F64 for `Double`).
    public func tensor<Scalar: TensorScalar>(named name: String, as type: Scalar.Type = Scalar.self) throws -> Tensor<Scalar> {
        guard let entry = entries[name] else { throw SafeTensorsError.missingTensor(name: name) }
        let expected = SafeTensors.dtype(of: Scalar.self)
        guard entry.dtype == expected else { throw SafeTensorsError.dtypeMismatch(name: name, expected: expected, found: entry.dtype) }
        let count = entry.shape.reduce(1, *)
        let slice = data[entry.dataOffsets]
        let base = slice.startIndex
        if Scalar.self == Float.self {
            let values = (0..<count).map { i -> Float in
                var bits: UInt32 = 0
                for b in 0..<4 { bits |= UInt32(slice[base + 4 * i + b]) << (8 * UInt32(b)) }
                return Float(bitPattern: bits)
            }
            return Tensor(shape: entry.shape, scalars: values.map { Scalar($0) })  // exact: Scalar is Float here
        }
        let values = (0..<count).map { i -> Double in
            var bits: UInt64 = 0
            for b in 0..<8 { bits |= UInt64(slice[base + 8 * i + b]) << (8 * UInt64(b)) }
            return Double(bitPattern: bits)
        }
        return Tensor(shape: entry.shape, scalars: values.map { Scalar($0) })
    }
}
