/// Sliding windows over a ``CSVTimeSeries`` for sequence-to-one forecasting.
///
/// Window k (0-based) covers rows s … s + W − 1 of the chosen row range, s = first + k·stride;
/// its target is row s + W − 1 + h (h = `horizon`; 1 predicts the step right after the window).
/// There are ⌊(n − W − h)/stride⌋ + 1 windows in n rows. An epoch visits them in the order of an
/// ``EpochOrder`` (seeded per-epoch Fisher–Yates, or time order without a seed).
///
/// **Shapes.** Inputs `[W, batch, inputColumns.count]`; targets `[batch, targetColumns.count]`.
public struct SlidingWindowSource<Scalar: TensorScalar>: BatchSource {
    /// The series windows are cut from.
    public let series: CSVTimeSeries
    /// Input features, in order.
    public let inputColumns: [String]
    /// Target features, in order.
    public let targetColumns: [String]
    /// W: steps per window.
    public let window: Int
    /// h: steps from a window's last row to its target row.
    public let horizon: Int
    /// Steps between consecutive window starts.
    public let stride: Int
    /// The rows windows are cut from.
    public let rows: Range<Int>
    /// Windows per batch and the per-epoch order.
    public let order: EpochOrder
    private let inputPositions: [Int]
    private let targetPositions: [Int]

    init(
        series: CSVTimeSeries, inputColumns: [String], targetColumns: [String], window: Int, horizon: Int, stride: Int,
        batchSize: Int, rows: Range<Int>, shuffleSeed: UInt64?, dropLast: Bool
    ) throws {
        let columnPositions = Dictionary(series.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        func positions(_ names: [String], parameter: String) throws -> [Int] {
            guard !names.isEmpty else { throw DataConfigurationError(parameter: parameter, reason: "names no column") }
            return try names.map { name in
                guard let position = columnPositions[name] else {
                    throw DataConfigurationError(parameter: parameter, reason: "no column '\(name)' (have: \(CSVTimeSeriesError.list(series.columns)))")
                }
                return position
            }
        }
        inputPositions = try positions(inputColumns, parameter: "inputColumns")
        targetPositions = try positions(targetColumns, parameter: "targetColumns")
        for (value, name) in [(window, "window"), (horizon, "horizon"), (stride, "stride")] where value < 1 {
            throw DataConfigurationError(parameter: name, reason: "must be at least 1, got \(value)")
        }
        guard rows.lowerBound >= 0 && rows.upperBound <= series.rowCount else {
            throw DataConfigurationError(parameter: "rows", reason: "\(rows) lies outside the series' 0..<\(series.rowCount)")
        }
        guard rows.count >= window + horizon else {
            throw DataConfigurationError(
                parameter: "rows", reason: "\(rows.count) rows are fewer than window + horizon = \(window + horizon)")
        }
        self.series = series
        self.inputColumns = inputColumns
        self.targetColumns = targetColumns
        self.window = window
        self.horizon = horizon
        self.stride = stride
        self.rows = rows
        order = try EpochOrder(
            exampleCount: (rows.count - window - horizon) / stride + 1, batchSize: batchSize, shuffleSeed: shuffleSeed,
            dropLast: dropLast)
    }

    /// Number of windows.
    public var windowCount: Int { order.exampleCount }

    public var batchesPerEpoch: Int { order.batchesPerEpoch }

    /// The batch at (`epoch`, `index`): inputs `[W, batch, inputs]`, targets `[batch, targets]`.
    public func batch(epoch: Int, index: Int) -> Batch<Scalar> {
        let windows = order.exampleIndices(epoch: epoch, index: index)
        let batch = windows.count
        let width = series.columns.count
        let inputWidth = inputPositions.count
        let targetWidth = targetPositions.count
        var inputs = [Scalar](repeating: 0, count: window * batch * inputWidth)
        var targets = [Scalar](repeating: 0, count: batch * targetWidth)
        for (b, k) in windows.enumerated() {
            let start = rows.lowerBound + k * stride
            for t in 0..<window {
                for (f, position) in inputPositions.enumerated() {
                    inputs[(t * batch + b) * inputWidth + f] = Scalar(series.values[(start + t) * width + position])
                }
            }
            let targetRow = start + window - 1 + horizon
            for (f, position) in targetPositions.enumerated() {
                targets[b * targetWidth + f] = Scalar(series.values[targetRow * width + position])
            }
        }
        return Batch(
            inputs: Tensor(shape: [window, batch, inputWidth], scalars: inputs),
            targets: Tensor(shape: [batch, targetWidth], scalars: targets))
    }
}
