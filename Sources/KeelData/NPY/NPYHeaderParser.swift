/// A parser for the Python dict literal in a `.npy` header: string keys, and values that are
/// strings, `True`/`False`, or tuples of non-negative integers. Offsets in errors are byte
/// offsets in the file.
struct NPYHeaderParser {
    enum Value {
        case string(String, offset: Int)
        case boolean(Bool, offset: Int)
        case tuple([Int], offset: Int)
    }

    private let bytes: [UInt8]
    private let file: String
    private let baseOffset: Int
    private var position = 0

    init(text: String, file: String, baseOffset: Int) {
        bytes = Array(text.utf8)
        self.file = file
        self.baseOffset = baseOffset
    }

    mutating func parseDictionary() throws -> [String: Value] {
        skipSpace()
        try expect(UInt8(ascii: "{"))
        var result: [String: Value] = [:]
        while true {
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                position += 1
                break
            }
            guard case .string(let key, let keyOffset) = try parseString() else { throw failure("expected a key") }
            guard result[key] == nil else { throw NPYError.headerParse(file: file, byteOffset: keyOffset, reason: "duplicate key '\(key)'") }
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            result[key] = try parseValue()
            skipSpace()
            if peek() == UInt8(ascii: ",") {
                position += 1
            } else if peek() != UInt8(ascii: "}") {
                throw failure("expected ',' or '}'")
            }
        }
        skipSpace()
        guard position == bytes.count else { throw failure("unexpected text after the dictionary") }
        return result
    }

    private mutating func parseValue() throws -> Value {
        let start = baseOffset + position
        switch peek() {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return try parseString()
        case UInt8(ascii: "("): return try parseTuple()
        case UInt8(ascii: "T"):
            try expectWord("True")
            return .boolean(true, offset: start)
        case UInt8(ascii: "F"):
            try expectWord("False")
            return .boolean(false, offset: start)
        default: throw failure("expected a string, True, False or a tuple")
        }
    }

    private mutating func parseString() throws -> Value {
        let start = baseOffset + position
        guard let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else { throw failure("expected a quoted string") }
        position += 1
        let contentStart = position
        while position < bytes.count && bytes[position] != quote {
            guard bytes[position] != UInt8(ascii: "\\") else { throw failure("escapes in strings are not supported") }
            position += 1
        }
        guard position < bytes.count else { throw failure("unterminated string") }
        let text = String(decoding: bytes[contentStart..<position], as: UTF8.self)
        position += 1
        return .string(text, offset: start)
    }

    private mutating func parseTuple() throws -> Value {
        let start = baseOffset + position
        try expect(UInt8(ascii: "("))
        var values: [Int] = []
        while true {
            skipSpace()
            if peek() == UInt8(ascii: ")") {
                position += 1
                return .tuple(values, offset: start)
            }
            let digitsStart = position
            var value = 0
            while let byte = peek(), byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                guard !overflow1 && !overflow2 else { throw failure("shape extent too large") }
                value = sum
                position += 1
            }
            if peek() == UInt8(ascii: "L") { position += 1 }  // Python 2 long suffix
            guard position > digitsStart else { throw failure("expected a non-negative integer in the shape") }
            values.append(value)
            skipSpace()
            if peek() == UInt8(ascii: ",") {
                position += 1
            } else if peek() != UInt8(ascii: ")") {
                throw failure("expected ',' or ')' in the shape")
            }
        }
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipSpace() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
            position += 1
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    private mutating func expectWord(_ word: String) throws {
        let utf8 = Array(word.utf8)
        guard bytes.count - position >= utf8.count && Array(bytes[position..<position + utf8.count]) == utf8 else {
            throw failure("expected \(word)")
        }
        position += utf8.count
    }

    private func failure(_ reason: String) -> NPYError {
        .headerParse(file: file, byteOffset: baseOffset + position, reason: reason)
    }
}
