import Foundation

/// A multivariate time series read from a CSV file with a header: one row per time step, the
/// selected columns parsed as numbers.
///
/// **Format.** UTF-8, comma-separated, first line a header of unique column names; cells may be
/// quoted with `"` (`""` inside quotes is a quote), but a quoted cell may not span lines.
/// Blank lines are skipped; `\r\n` line ends are accepted. Every row must have as many cells as
/// the header (checked for all columns). Only the selected columns must hold finite decimal
/// numbers (surrounding spaces allowed), so a date or label column can stay in the file.
///
/// **Errors** name the file, the 1-based line and the column: ragged rows, non-numeric cells,
/// a missing column, a missing header, invalid UTF-8 (byte offset), no data rows.
///
/// ```swift
/// let series = try CSVTimeSeries(contentsOf: url, columns: ["load", "temperature"])
/// let statistics = series.normalizationStatistics(rows: 0..<800)
/// let normalized = try series.normalized(using: statistics)
/// let train: SlidingWindowSource<Float> = try normalized.windows(
///     targetColumns: ["load"], window: 48, horizon: 1, stride: 1, batchSize: 32, rows: 0..<800, shuffleSeed: 1)
/// ```
public struct CSVTimeSeries: Sendable {
    /// Where the series came from (a path, or "<text>"), used in error messages.
    public let source: String
    /// The selected columns, in order.
    public let columns: [String]
    /// The values, row-major: `values[row * columns.count + column]`.
    public let values: [Double]

    /// Reads the CSV file at `url`, keeping `columns` (all columns when `nil`) in that order.
    ///
    /// - Throws: ``CSVTimeSeriesError`` naming the file and, where one applies, the line and
    ///   column.
    public init(contentsOf url: URL, columns: [String]? = nil) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CSVTimeSeriesError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        let scalars: [Unicode.Scalar]
        do {
            scalars = try CharacterTextDataset.decodeUTF8(data, file: url.path)
        } catch TextDatasetError.invalidUTF8(let file, let offset) {
            throw CSVTimeSeriesError.invalidUTF8(file: file, byteOffset: offset)
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        try self.init(text: String(view), source: url.path, columns: columns)
    }

    /// Parses CSV `text`, reported as `source` in errors.
    ///
    /// - Throws: ``CSVTimeSeriesError``, as ``init(contentsOf:columns:)``.
    public init(text: String, source: String = "<text>", columns selection: [String]? = nil) throws {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated().lazy
            .map { (number: $0.offset + 1, text: $0.element.hasSuffix("\r") ? $0.element.dropLast() : $0.element) }
            .filter { !$0.text.allSatisfy(\.isWhitespace) }
            .makeIterator()
        guard let headerLine = lines.next() else { throw CSVTimeSeriesError.missingHeader(file: source) }
        let header = try Self.cells(of: headerLine.text, line: headerLine.number, file: source)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var headerPositions: [String: Int] = [:]
        headerPositions.reserveCapacity(header.count)
        for (position, name) in header.enumerated() {
            guard headerPositions.updateValue(position, forKey: name) == nil else {
                throw CSVTimeSeriesError.duplicateColumn(file: source, column: name)
            }
        }
        let selected = selection ?? header
        let positions = try selected.map { name in
            guard let position = headerPositions[name] else {
                throw CSVTimeSeriesError.missingColumn(file: source, column: name, available: header)
            }
            return position
        }
        var values: [Double] = []
        while let line = lines.next() {
            let cells = try Self.cells(of: line.text, line: line.number, file: source)
            guard cells.count == header.count else {
                throw CSVTimeSeriesError.raggedRow(file: source, line: line.number, expected: header.count, found: cells.count)
            }
            for (name, position) in zip(selected, positions) {
                let cell = cells[position].trimmingCharacters(in: .whitespaces)
                guard let value = Double(cell), value.isFinite else {
                    throw CSVTimeSeriesError.nonNumeric(file: source, line: line.number, column: name, value: cells[position])
                }
                values.append(value)
            }
        }
        guard !values.isEmpty || selected.isEmpty else { throw CSVTimeSeriesError.noRows(file: source) }
        self.init(source: source, columns: selected, values: values)
    }

    /// A series with explicit values (row-major, `columns.count` per row).
    ///
    /// - Precondition: `values.count` is a multiple of `columns.count`.
    public init(source: String = "<memory>", columns: [String], values: [Double]) {
        precondition(
            columns.isEmpty ? values.isEmpty : values.count % columns.count == 0,
            "CSVTimeSeries: \(values.count) values do not fill rows of \(columns.count) columns")
        self.source = source
        self.columns = columns
        self.values = values
    }

    /// Number of rows (time steps).
    public var rowCount: Int { columns.isEmpty ? 0 : values.count / columns.count }

    /// The values of column `name`, or `nil` if there is no such column.
    public func column(_ name: String) -> [Double]? {
        guard let position = columns.firstIndex(of: name) else { return nil }
        return (0..<rowCount).map { values[$0 * columns.count + position] }
    }

    /// Mean and standard deviation of every column over `rows` (all rows when `nil`; fit on the
    /// training rows only, so validation statistics do not leak into training).
    public func normalizationStatistics(rows: Range<Int>? = nil) -> NormalizationStatistics {
        let range = rows ?? 0..<rowCount
        precondition(range.lowerBound >= 0 && range.upperBound <= rowCount, "CSVTimeSeries.normalizationStatistics: rows \(range) outside 0..<\(rowCount)")
        return NormalizationStatistics(columns: columns, values: values, rows: range)
    }

    /// The series mapped to mean 0 / std 1 by `statistics` (matched to columns by name).
    ///
    /// - Throws: ``DataConfigurationError`` if a column of this series has no statistics.
    public func normalized(using statistics: NormalizationStatistics) throws -> CSVTimeSeries {
        let statisticsPositions = Dictionary(statistics.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let map = try columns.map { name in
            guard let position = statisticsPositions[name] else {
                throw DataConfigurationError(parameter: "statistics", reason: "no statistics for column '\(name)' (have: \(CSVTimeSeriesError.list(statistics.columns)))")
            }
            return position
        }
        var result = values
        for index in result.indices {
            result[index] = statistics.normalize(result[index], column: map[index % columns.count])
        }
        return CSVTimeSeries(source: source, columns: columns, values: result)
    }

    /// Sliding windows over `rows` as a batch source (see ``SlidingWindowSource``).
    ///
    /// - Parameters:
    ///   - inputColumns: the input features (all columns when `nil`).
    ///   - targetColumns: the predicted features.
    ///   - window: steps per input window (W ≥ 1).
    ///   - horizon: how far after the window's last step the target row lies (h ≥ 1; 1 = next step).
    ///   - stride: steps between the starts of consecutive windows (≥ 1).
    ///   - rows: the rows to cut windows from (all when `nil`).
    ///   - shuffleSeed: seeds the per-epoch window order; `nil` keeps time order.
    ///   - batchSize: windows per batch.
    ///   - dropLast: whether a final, smaller batch is dropped.
    ///   - type: the scalar type of the tensors.
    /// - Throws: ``DataConfigurationError`` for unknown columns, lengths below 1, or rows too few for
    ///   one window.
    public func windows<Scalar: TensorScalar>(
        inputColumns: [String]? = nil, targetColumns: [String], window: Int, horizon: Int = 1, stride: Int = 1,
        batchSize: Int, rows: Range<Int>? = nil, shuffleSeed: UInt64? = nil, dropLast: Bool = false,
        as type: Scalar.Type = Scalar.self
    ) throws -> SlidingWindowSource<Scalar> {
        try SlidingWindowSource(
            series: self, inputColumns: inputColumns ?? columns, targetColumns: targetColumns, window: window,
            horizon: horizon, stride: stride, batchSize: batchSize, rows: rows ?? 0..<rowCount,
            shuffleSeed: shuffleSeed, dropLast: dropLast)
    }

    /// The cells of one CSV line (quotes removed, `""` unescaped).
    static func cells(of line: Substring, line number: Int, file: String) throws -> [String] {
        var cells: [String] = []
        var current = ""
        var inQuotes = false
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if inQuotes {
                if character == "\"" {
                    let next = line.index(after: index)
                    if next < line.endIndex && line[next] == "\"" {
                        current.append("\"")
                        index = next
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                inQuotes = true
            } else if character == "," {
                cells.append(current)
                current = ""
            } else {
                current.append(character)
            }
            index = line.index(after: index)
        }
        guard !inQuotes else { throw CSVTimeSeriesError.unterminatedQuote(file: file, line: number) }
        cells.append(current)
        return cells
    }
}
