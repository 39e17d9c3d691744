/// Checks shared by the synthetic tasks' initializers.
enum SyntheticTaskValidation {
    static func check(batchSize: Int, batchesPerEpoch: Int) throws {
        guard batchSize >= 1 else {
            throw DataConfigurationError(parameter: "batchSize", reason: "must be at least 1, got \(batchSize)")
        }
        guard batchesPerEpoch >= 1 else {
            throw DataConfigurationError(parameter: "batchesPerEpoch", reason: "must be at least 1, got \(batchesPerEpoch)")
        }
    }

    static func check(sequenceLength: Int, atLeast minimum: Int, because reason: String) throws {
        guard sequenceLength >= minimum else {
            throw DataConfigurationError(
                parameter: "sequenceLength", reason: "must be at least \(minimum) (\(reason)), got \(sequenceLength)")
        }
    }

    /// Python's `int(fraction * n)`: the same IEEE product, truncated.
    static func fraction(_ fraction: Double, of n: Int) -> Int { Int(fraction * Double(n)) }
}
