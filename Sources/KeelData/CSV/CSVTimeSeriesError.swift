/// Why a CSV file could not become a ``CSVTimeSeries``. Each case names the file and, where
/// there is one, the 1-based line and the column.
public enum CSVTimeSeriesError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(file: String, reason: String)
    /// The bytes are not valid UTF-8.
    case invalidUTF8(file: String, byteOffset: Int)
    /// The file has no header line.
    case missingHeader(file: String)
    /// The header names the same column twice.
    case duplicateColumn(file: String, column: String)
    /// A requested column is not in the header.
    case missingColumn(file: String, column: String, available: [String])
    /// A row has a different number of cells from the header.
    case raggedRow(file: String, line: Int, expected: Int, found: Int)
    /// A selected cell is not a finite decimal number.
    case nonNumeric(file: String, line: Int, column: String, value: String)
    /// A quoted cell is not closed on its line.
    case unterminatedQuote(file: String, line: Int)
    /// The file has a header but no data rows.
    case noRows(file: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read the file: \(reason)"
        case .invalidUTF8(let file, let offset): "\(file): byte offset \(offset): invalid UTF-8"
        case .missingHeader(let file): "\(file): line 1: missing header line"
        case .duplicateColumn(let file, let column): "\(file): line 1: column '\(column)' appears twice in the header"
        case .missingColumn(let file, let column, let available):
            "\(file): line 1: no column named '\(column)' (columns: \(Self.list(available)))"
        case .raggedRow(let file, let line, let expected, let found):
            "\(file): line \(line): \(found) cells, but the header has \(expected)"
        case .nonNumeric(let file, let line, let column, let value):
            "\(file): line \(line), column '\(column)': '\(value)' is not a finite number"
        case .unterminatedQuote(let file, let line): "\(file): line \(line): a quoted cell is not closed"
        case .noRows(let file): "\(file): the file has a header but no data rows"
        }
    }

    /// Column names for a message: all of them up to 12, else the first 10 and the count.
    public static func list(_ names: [String]) -> String {
        names.count <= 12 ? names.joined(separator: ", ") : names.prefix(10).joined(separator: ", ") + ", … (\(names.count) columns)"
    }
}
