/// Per-column mean and standard deviation that map a series to mean 0, standard deviation 1:
/// x′ = (x − mean)/std.
///
/// Fitted once (on the training rows) and `Codable`, so the same transform is saved with a
/// checkpoint and applied to validation data and to new data at inference. The standard
/// deviation is the population one (divide by n); a constant column (std 0) keeps std 1, so it
/// maps to 0 instead of dividing by zero.
public struct NormalizationStatistics: Sendable, Hashable, Codable {
    /// The columns, in order.
    public let columns: [String]
    /// Mean of each column.
    public let means: [Double]
    /// Standard deviation of each column (1 for a constant column).
    public let standardDeviations: [Double]

    /// Statistics with explicit values.
    ///
    /// - Precondition: the three arrays have the same length, and every deviation is positive.
    public init(columns: [String], means: [Double], standardDeviations: [Double]) {
        precondition(
            columns.count == means.count && means.count == standardDeviations.count,
            "NormalizationStatistics: \(columns.count) columns, \(means.count) means, \(standardDeviations.count) deviations")
        precondition(standardDeviations.allSatisfy { $0 > 0 }, "NormalizationStatistics: deviations must be positive")
        self.columns = columns
        self.means = means
        self.standardDeviations = standardDeviations
    }

    /// Fits the statistics of `rows` (row-major `values` with `columns.count` per row).
    init(columns: [String], values: [Double], rows: Range<Int>) {
        let width = columns.count
        var means = [Double](repeating: 0, count: width)
        var deviations = [Double](repeating: 1, count: width)
        let n = Double(rows.count)
        if rows.count > 0 {
            for column in 0..<width {
                var sum = 0.0
                for row in rows { sum += values[row * width + column] }
                let mean = sum / n
                var squares = 0.0
                for row in rows {
                    let d = values[row * width + column] - mean
                    squares += d * d
                }
                means[column] = mean
                let deviation = (squares / n).squareRoot()
                deviations[column] = deviation > 0 ? deviation : 1
            }
        }
        self.init(columns: columns, means: means, standardDeviations: deviations)
    }

    /// (x − mean)/std for column `column`.
    public func normalize(_ value: Double, column: Int) -> Double {
        (value - means[column]) / standardDeviations[column]
    }

    /// x·std + mean for column `column`: undoes ``normalize(_:column:)``.
    public func denormalize(_ value: Double, column: Int) -> Double {
        value * standardDeviations[column] + means[column]
    }
}
