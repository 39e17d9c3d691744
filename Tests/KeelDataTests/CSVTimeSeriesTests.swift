import Foundation
import Testing
import KeelData

@Suite struct CSVTimeSeriesTests {
    static let csv = """
        date,load,"temp",note
        2024-01-01,1.0,10,a
        2024-01-02,2.0,11,"b, quoted"

        2024-01-03,3.0,12,c\r
        2024-01-04,4.0,13,d
        2024-01-05,5.0,14,e
        2024-01-06,6.0,15,f

        """

    @Test func parsesSelectedColumns() throws {
        let url = try temporaryFile("series.csv", text: Self.csv)
        let series = try CSVTimeSeries(contentsOf: url, columns: ["temp", "load"])
        #expect(series.columns == ["temp", "load"])
        #expect(series.rowCount == 6)
        #expect(series.column("load") == [1, 2, 3, 4, 5, 6])
        #expect(series.column("temp") == [10, 11, 12, 13, 14, 15])
        let all = try CSVTimeSeries(text: "a, b\n1, 2\n", columns: nil)
        #expect(all.columns == ["a", "b"] && all.values == [1, 2])
    }

    @Test func normalizationStatisticsRoundTrip() throws {
        let series = try CSVTimeSeries(text: Self.csv, columns: ["load", "temp"])
        let statistics = series.normalizationStatistics()
        #expect(abs(statistics.means[0] - 3.5) < 1e-12)
        #expect(abs(statistics.standardDeviations[0] - (17.5 / 6).squareRoot()) < 1e-12)
        let normalized = try series.normalized(using: statistics)
        for column in ["load", "temp"] {
            let values = normalized.column(column)!
            let mean = values.reduce(0, +) / 6
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 6
            #expect(abs(mean) < 1e-12 && abs(variance - 1) < 1e-12)
        }
        let json = try JSONEncoder().encode(statistics)
        let decoded = try JSONDecoder().decode(NormalizationStatistics.self, from: json)
        #expect(decoded == statistics)
        #expect(try series.normalized(using: decoded).values == normalized.values)
        #expect(abs(statistics.denormalize(statistics.normalize(7, column: 1), column: 1) - 7) < 1e-12)
        let constant = try CSVTimeSeries(text: "x\n2\n2\n").normalizationStatistics()
        #expect(constant.standardDeviations == [1])
        #expect(throws: DataConfigurationError.self) {
            try series.normalized(using: NormalizationStatistics(columns: ["load"], means: [0], standardDeviations: [1]))
        }
    }

    @Test func slidingWindows() throws {
        let series = try CSVTimeSeries(text: Self.csv, columns: ["load", "temp"])
        let source: SlidingWindowSource<Double> = try series.windows(
            inputColumns: ["load", "temp"], targetColumns: ["load"], window: 2, horizon: 1, stride: 1, batchSize: 2)
        #expect(source.windowCount == 4)  // starts 0, 1, 2, 3; targets rows 2 … 5
        #expect(source.batchesPerEpoch == 2)
        let batch = source.batch(epoch: 0, index: 1)
        #expect(batch.inputs.shape == [2, 2, 2])
        #expect(batch.targets.shape == [2, 1])
        #expect(batch.inputs.scalars == [3, 12, 4, 13, 4, 13, 5, 14])
        #expect(batch.targets.scalars == [5, 6])
        let strided: SlidingWindowSource<Float> = try series.windows(targetColumns: ["temp"], window: 3, horizon: 2, stride: 2, batchSize: 4)
        #expect(strided.windowCount == 1)
        #expect(strided.batch(epoch: 0, index: 0).targets.scalars == [14])
        let shuffled: SlidingWindowSource<Float> = try series.windows(targetColumns: ["load"], window: 1, batchSize: 5, shuffleSeed: 3)
        let epoch0 = shuffled.batch(epoch: 0, index: 0).targets.scalars
        #expect(epoch0.sorted() == [2, 3, 4, 5, 6])
        #expect(shuffled.batch(epoch: 0, index: 0).targets.scalars == epoch0)
        #expect(throws: DataConfigurationError.self) {
            let _: SlidingWindowSource<Float> = try series.windows(targetColumns: ["load"], window: 6, batchSize: 1)
        }
        #expect(throws: DataConfigurationError.self) {
            let _: SlidingWindowSource<Float> = try series.windows(targetColumns: ["nope"], window: 2, batchSize: 1)
        }
    }

    @Test func badFilesNameFileLineAndColumn() throws {
        let ragged = try temporaryFile("ragged.csv", text: "a,b\n1,2\n3\n")
        #expect(throws: CSVTimeSeriesError.raggedRow(file: ragged.path, line: 3, expected: 2, found: 1)) {
            try CSVTimeSeries(contentsOf: ragged)
        }
        let nonNumeric = try temporaryFile("text.csv", text: "a,b\n1,2\n3,x7\n")
        #expect(throws: CSVTimeSeriesError.nonNumeric(file: nonNumeric.path, line: 3, column: "b", value: "x7")) {
            try CSVTimeSeries(contentsOf: nonNumeric)
        }
        #expect(try CSVTimeSeries(contentsOf: nonNumeric, columns: ["a"]).values == [1, 3])
        let empty = try temporaryFile("blank.csv", text: "a,b\n1,\n")
        #expect(throws: CSVTimeSeriesError.nonNumeric(file: empty.path, line: 2, column: "b", value: "")) { try CSVTimeSeries(contentsOf: empty) }
        let infinite = try temporaryFile("inf.csv", text: "a\ninf\n")
        #expect(throws: CSVTimeSeriesError.nonNumeric(file: infinite.path, line: 2, column: "a", value: "inf")) { try CSVTimeSeries(contentsOf: infinite) }
        let missing = try temporaryFile("missing.csv", text: "a,b\n1,2\n")
        #expect(throws: CSVTimeSeriesError.missingColumn(file: missing.path, column: "c", available: ["a", "b"])) {
            try CSVTimeSeries(contentsOf: missing, columns: ["c"])
        }
        let headerOnly = try temporaryFile("header.csv", text: "a,b\n")
        #expect(throws: CSVTimeSeriesError.noRows(file: headerOnly.path)) { try CSVTimeSeries(contentsOf: headerOnly) }
        let nothing = try temporaryFile("nothing.csv", text: "\n\n")
        #expect(throws: CSVTimeSeriesError.missingHeader(file: nothing.path)) { try CSVTimeSeries(contentsOf: nothing) }
        let quote = try temporaryFile("quote.csv", text: "a\n\"1\n")
        #expect(throws: CSVTimeSeriesError.unterminatedQuote(file: quote.path, line: 2)) { try CSVTimeSeries(contentsOf: quote) }
        let duplicate = try temporaryFile("dup.csv", text: "a,a\n1,2\n")
        #expect(throws: CSVTimeSeriesError.duplicateColumn(file: duplicate.path, column: "a")) { try CSVTimeSeries(contentsOf: duplicate) }
        let latin1 = try temporaryFile("latin1.csv", bytes: Array("a\n1\n".utf8) + [0xE9, 0x0A])
        #expect(throws: CSVTimeSeriesError.invalidUTF8(file: latin1.path, byteOffset: 4)) { try CSVTimeSeries(contentsOf: latin1) }
        let message = String(describing: CSVTimeSeriesError.nonNumeric(file: "f.csv", line: 3, column: "b", value: "x7"))
        #expect(message.contains("f.csv") && message.contains("line 3") && message.contains("'b'"))
    }
}
