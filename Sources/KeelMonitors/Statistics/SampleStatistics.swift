/// Small, allocation-light statistics over `Double` samples shared by the monitors.
enum SampleStatistics {
    /// The arithmetic mean; NaN for no samples.
    static func mean<C: Collection>(_ values: C) -> Double where C.Element == Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// The population standard deviation (divisor n, like `numpy.std`); NaN for no samples.
    static func standardDeviation<C: Collection>(_ values: C) -> Double where C.Element == Double {
        guard !values.isEmpty else { return .nan }
        let mu = mean(values)
        let squares = values.reduce(0) { $0 + ($1 - mu) * ($1 - mu) }
        return (squares / Double(values.count)).squareRoot()
    }

    /// The `q`-th percentile (0…100) of already **sorted** values with NumPy's default `linear`
    /// method: h = (n − 1)·q/100, v[⌊h⌋] + (h − ⌊h⌋)·(v[⌊h⌋+1] − v[⌊h⌋]). NaN for no samples.
    static func percentile(sorted values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let clamped = min(max(q, 0), 100)
        let h = Double(values.count - 1) * clamped / 100
        let lower = Int(h.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        let fraction = h - Double(lower)
        return values[lower] + fraction * (values[upper] - values[lower])
    }

    /// The median (NumPy `linear` 50th percentile) of unsorted values.
    static func median(_ values: [Double]) -> Double { percentile(sorted: values.sorted(), 50) }
}
