/// Which examples go into which batch of an epoch: the bookkeeping shared by the in-memory,
/// text and CSV batch sources.
///
/// An epoch visits `exampleCount` examples in groups of `batchSize`. With shuffling, the order is
/// a Fisher–Yates permutation (``Shuffler``) seeded by ``BatchSeed`` from (seed, epoch), so it
/// differs from epoch to epoch but is the same every time the same epoch is asked for. With
/// `dropLast`, a final incomplete batch is left out; otherwise it is kept, smaller.
public struct EpochOrder: Sendable, Hashable, Codable {
    /// Examples in one epoch.
    public let exampleCount: Int
    /// Examples per batch (the last one may be smaller unless `dropLast`).
    public let batchSize: Int
    /// The seed of the per-epoch permutation; `nil` visits examples in order.
    public let shuffleSeed: UInt64?
    /// Whether a final incomplete batch is left out.
    public let dropLast: Bool
    private var cache = PermutationCache()

    private enum CodingKeys: String, CodingKey { case exampleCount, batchSize, shuffleSeed, dropLast }

    /// - Throws: ``DataConfigurationError`` if `batchSize < 1`, `exampleCount < 1`, or no batch
    ///   would remain.
    public init(exampleCount: Int, batchSize: Int, shuffleSeed: UInt64?, dropLast: Bool) throws {
        guard batchSize >= 1 else { throw DataConfigurationError(parameter: "batchSize", reason: "must be at least 1, got \(batchSize)") }
        guard exampleCount >= 1 else { throw DataConfigurationError(parameter: "exampleCount", reason: "the data yields no examples") }
        guard !dropLast || exampleCount >= batchSize else {
            throw DataConfigurationError(
                parameter: "batchSize",
                reason: "\(batchSize) is larger than the \(exampleCount) examples available, and dropLast leaves no batch")
        }
        self.exampleCount = exampleCount
        self.batchSize = batchSize
        self.shuffleSeed = shuffleSeed
        self.dropLast = dropLast
    }

    /// Batches in one epoch: ⌊count / batchSize⌋ with `dropLast`, ⌈count / batchSize⌉ without.
    public var batchesPerEpoch: Int {
        dropLast ? exampleCount / batchSize : (exampleCount + batchSize - 1) / batchSize
    }

    /// The order in which `epoch` visits the examples.
    public func permutation(epoch: Int) -> [Int] {
        guard let shuffleSeed else { return Array(0..<exampleCount) }
        return cache.permutation(epoch: epoch) {
            var generator = BatchSeed.generator(seed: shuffleSeed, epoch: epoch, index: 0, stream: 0x5348_5546)
            return Shuffler.permutation(count: exampleCount, using: &generator)
        }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.exampleCount == rhs.exampleCount && lhs.batchSize == rhs.batchSize && lhs.shuffleSeed == rhs.shuffleSeed
            && lhs.dropLast == rhs.dropLast
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(exampleCount)
        hasher.combine(batchSize)
        hasher.combine(shuffleSeed)
        hasher.combine(dropLast)
    }

    /// The example indices of batch `index` of `epoch`.
    ///
    /// - Precondition: `0 <= index < batchesPerEpoch`.
    public func exampleIndices(epoch: Int, index: Int) -> ArraySlice<Int> {
        precondition(
            index >= 0 && index < batchesPerEpoch,
            "EpochOrder.exampleIndices: batch index \(index) is outside 0..<\(batchesPerEpoch)")
        let start = index * batchSize
        let end = Swift.min(start + batchSize, exampleCount)
        guard shuffleSeed != nil else { return Array(start..<end)[...] }
        return permutation(epoch: epoch)[start..<end]
    }
}
