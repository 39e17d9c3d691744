import Foundation

/// A NumPy `.npy` array of `float32` or `float64`: reading, writing and conversion to `Tensor`.
///
/// **Format** (NEP 1, versions 1.0, 2.0 and 3.0): the magic string `\x93NUMPY`, a major and
/// minor version byte, the header length (2 bytes little-endian in 1.0, 4 bytes in 2.0/3.0),
/// then the header: a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` (ASCII, or UTF-8 in 3.0),
/// padded with spaces and ending in a newline. The data follows: the elements in C (row-major)
/// order.
///
/// **Supported.** dtypes `<f4` and `<f8`; `|` and `=` byte-order marks are read as the (little-
/// endian) native order. Big-endian (`>`), other types and Fortran order throw
/// ``NPYError`` naming the file and byte offset, as do a bad magic string, a truncated file, a
/// header that does not parse, and bytes after the data. A 0-d array has shape `[]`.
///
/// **Writing** produces version 1.0 (2.0 if the header needs more than 65,535 bytes) with the
/// header padded so the data starts at a multiple of 64 bytes, as NumPy does. The file is
/// written atomically: to a temporary file in the same directory, then renamed over the
/// destination, so a crash never leaves a half-written array.
///
/// ## References
/// - NumPy Enhancement Proposal 1, "A Simple File Format for NumPy Arrays" (`numpy.lib.format`).
public struct NPYArray: Sendable, Equatable {
    /// The element type.
    public enum DType: String, Sendable, Hashable, Codable {
        /// IEEE single precision, `<f4`.
        case float32 = "<f4"
        /// IEEE double precision, `<f8`.
        case float64 = "<f8"

        /// Bytes per element.
        public var byteCount: Int { self == .float32 ? 4 : 8 }
    }

    /// The array's elements, in their stored type.
    public enum Elements: Sendable, Equatable {
        case float32([Float])
        case float64([Double])
    }

    /// The extent of each axis; `[]` for a 0-d array.
    public let shape: [Int]
    /// The elements in C order.
    public let elements: Elements

    /// The stored element type.
    public var dtype: DType {
        switch elements {
        case .float32: .float32
        case .float64: .float64
        }
    }

    /// An array of `elements` with `shape`.
    ///
    /// - Precondition: the element count equals the product of `shape`.
    public init(shape: [Int], elements: Elements) {
        let count = switch elements {
        case .float32(let values): values.count
        case .float64(let values): values.count
        }
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == count, "NPYArray: shape \(shape) does not hold \(count) elements")
        self.shape = shape
        self.elements = elements
    }

    /// The array holding `tensor` (float32 for `Float`, float64 for `Double`).
    public init<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>) {
        if let values = tensor.scalars as? [Float] {
            self.init(shape: tensor.shape, elements: .float32(values))
        } else {
            self.init(shape: tensor.shape, elements: .float64(tensor.scalars.map { Double($0) }))
        }
    }

    /// The array as a tensor of `Scalar`, converting the element type if it differs.
    public func tensor<Scalar: TensorScalar>(of type: Scalar.Type = Scalar.self) -> Tensor<Scalar> {
        switch elements {
        case .float32(let values):
            if let same = values as? [Scalar] { return Tensor(shape: shape, scalars: same) }
            return Tensor(shape: shape, scalars: values.map { Scalar($0) })
        case .float64(let values):
            if let same = values as? [Scalar] { return Tensor(shape: shape, scalars: same) }
            return Tensor(shape: shape, scalars: values.map { Scalar($0) })
        }
    }

    /// The flat (C-order) index of the first NaN or ±∞ element, or nil when every element is finite.
    public var firstNonFiniteIndex: Int? {
        switch elements {
        case .float32(let values): values.firstIndex { !$0.isFinite }
        case .float64(let values): values.firstIndex { !$0.isFinite }
        }
    }

    /// The value at a flat (C-order) index, as a `Double`.
    public func value(atFlatIndex index: Int) -> Double {
        switch elements {
        case .float32(let values): Double(values[index])
        case .float64(let values): values[index]
        }
    }

    /// The multi-index `[i, j, …]` of a flat (C-order) index.
    public func multiIndex(ofFlatIndex index: Int) -> [Int] {
        var remainder = index
        var result = Array(repeating: 0, count: shape.count)
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            result[axis] = remainder % shape[axis]
            remainder /= shape[axis]
        }
        return result
    }

    /// Reads the `.npy` file at `url`.
    ///
    /// - Throws: ``NPYError`` naming the file and byte offset.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw NPYError.io(file: url.path, reason: "cannot read the file: \(error.localizedDescription)")
        }
        try self.init(data: data, file: url.path)
    }

    /// Parses the bytes of a `.npy` file; `file` names it in errors.
    ///
    /// - Throws: ``NPYError`` naming `file` and the byte offset.
    public init(data: Data, file: String = "<data>") throws {
        let bytes = [UInt8](data)
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
        for (offset, byte) in magic.enumerated() {
            guard offset < bytes.count else { throw NPYError.truncated(file: file, byteOffset: bytes.count, expected: 10) }
            guard bytes[offset] == byte else { throw NPYError.badMagic(file: file, byteOffset: offset) }
        }
        guard bytes.count >= 8 else { throw NPYError.truncated(file: file, byteOffset: bytes.count, expected: 10) }
        let major = bytes[6], minor = bytes[7]
        guard (1...3).contains(major) && minor == 0 else {
            throw NPYError.unsupportedVersion(file: file, byteOffset: 6, major: major, minor: minor)
        }
        let lengthBytes = major == 1 ? 2 : 4
        let headerStart = 8 + lengthBytes
        guard bytes.count >= headerStart else { throw NPYError.truncated(file: file, byteOffset: bytes.count, expected: headerStart) }
        var headerLength = 0
        for i in (0..<lengthBytes).reversed() { headerLength = headerLength << 8 | Int(bytes[8 + i]) }
        let dataStart = headerStart + headerLength
        guard bytes.count >= dataStart else { throw NPYError.truncated(file: file, byteOffset: bytes.count, expected: dataStart) }
        let headerBytes = Array(bytes[headerStart..<dataStart])
        if major < 3, let bad = headerBytes.firstIndex(where: { $0 >= 0x80 }) {
            throw NPYError.headerParse(file: file, byteOffset: headerStart + bad, reason: "non-ASCII byte in a version \(major).0 header")
        }
        guard let header = String(validating: headerBytes, as: UTF8.self) else {
            throw NPYError.headerParse(file: file, byteOffset: headerStart, reason: "header is not valid UTF-8")
        }
        var parser = NPYHeaderParser(text: header, file: file, baseOffset: headerStart)
        let dictionary = try parser.parseDictionary()
        guard case .string(let descr, let descrOffset)? = dictionary["descr"] else {
            throw NPYError.headerParse(file: file, byteOffset: headerStart, reason: "missing string key 'descr'")
        }
        guard case .boolean(let fortran, let fortranOffset)? = dictionary["fortran_order"] else {
            throw NPYError.headerParse(file: file, byteOffset: headerStart, reason: "missing boolean key 'fortran_order'")
        }
        guard case .tuple(let shape, _)? = dictionary["shape"] else {
            throw NPYError.headerParse(file: file, byteOffset: headerStart, reason: "missing tuple key 'shape'")
        }
        let dtype: DType
        switch descr {
        case "<f4", "|f4", "=f4": dtype = .float32
        case "<f8", "|f8", "=f8": dtype = .float64
        default: throw NPYError.unsupportedDType(file: file, byteOffset: descrOffset, dtype: descr)
        }
        guard !fortran else { throw NPYError.fortranOrder(file: file, byteOffset: fortranOffset) }
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw NPYError.headerParse(file: file, byteOffset: headerStart, reason: "shape \(shape) is too large") }
            count = product
        }
        let (dataBytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteCount)
        guard !overflow, dataStart <= Int.max - dataBytes else {
            throw NPYError.headerParse(file: file, byteOffset: headerStart, reason: "shape \(shape) is too large")
        }
        let end = dataStart + dataBytes
        guard bytes.count >= end else { throw NPYError.truncated(file: file, byteOffset: bytes.count, expected: end) }
        guard bytes.count == end else { throw NPYError.trailingBytes(file: file, byteOffset: end, count: bytes.count - end) }
        let elements: Elements = bytes.withUnsafeBytes { raw in
            let payload = UnsafeRawBufferPointer(rebasing: raw[dataStart..<end])
            switch dtype {
            case .float32:
                return .float32((0..<count).map { Float(bitPattern: UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) })
            case .float64:
                return .float64((0..<count).map { Double(bitPattern: UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) })
            }
        }
        self.init(shape: shape, elements: elements)
    }

    /// The bytes of the `.npy` file holding this array.
    public func encoded() -> Data {
        let shapeText = switch shape.count {
        case 0: "()"
        case 1: "(\(shape[0]),)"
        default: "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        var version: UInt8 = 1
        var prefix = 10
        if header.utf8.count + 1 + 64 > 65_535 {  // padded header must fit in 2 bytes
            version = 2
            prefix = 12
        }
        let padding = (64 - (prefix + header.utf8.count + 1) % 64) % 64
        header += String(repeating: " ", count: padding) + "\n"
        let headerLength = header.utf8.count
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0])
        for i in 0..<(version == 1 ? 2 : 4) { data.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
        data.append(contentsOf: Array(header.utf8))
        switch elements {
        case .float32(let values):
            data.reserveCapacity(data.count + values.count * 4)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        case .float64(let values):
            data.reserveCapacity(data.count + values.count * 8)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        return data
    }

    /// Writes the array to `url` atomically (temporary file in the same directory, then rename).
    ///
    /// - Throws: ``NPYError/io(file:reason:)`` if the file cannot be written; the destination is
    ///   then unchanged.
    public func write(to url: URL) throws {
        do {
            try encoded().write(to: url, options: .atomic)
        } catch {
            throw NPYError.io(file: url.path, reason: "cannot write the file: \(error.localizedDescription)")
        }
    }
}
