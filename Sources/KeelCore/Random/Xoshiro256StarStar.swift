/// Keel's seeded random number generator: xoshiro256** (Blackman & Vigna 2018), seeded through
/// SplitMix64.
///
/// The same seed gives the same sequence on every platform: the algorithm uses only 64-bit integer
/// arithmetic, and Keel's conversions to floating point (`nextUnitDouble()`
/// and friends) use only exactly rounded IEEE operations. The state is `Codable`, so checkpoints can
/// store it and a resumed run draws the same numbers as an uninterrupted one.
///
/// ```swift
/// var generator = Xoshiro256StarStar(seed: 42)
/// let w = Tensor<Float>(randomNormal: [128, 128], standardDeviation: 0.1, using: &generator)
/// ```
///
/// ## References
/// - D. Blackman, S. Vigna, "Scrambled Linear Pseudorandom Number Generators", ACM TOMS 47(4), 2021.
public struct Xoshiro256StarStar: RandomNumberGenerator, Codable, Hashable, Sendable {
    /// The four 64-bit words of state (never all zero).
    public private(set) var state: [UInt64]

    /// A generator whose state is derived from `seed` by four SplitMix64 steps.
    public init(seed: UInt64) {
        var splitMix = seed
        var words: [UInt64] = []
        for _ in 0..<4 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            words.append(z ^ (z >> 31))
        }
        state = words
    }

    /// A generator with an explicit state, for example one read from a checkpoint.
    ///
    /// - Throws: ``RandomGeneratorError/invalidState(_:)`` unless `state` has four words that are
    ///   not all zero (the one state xoshiro cannot leave).
    public init(state: [UInt64]) throws {
        guard state.count == 4 else {
            throw RandomGeneratorError.invalidState("xoshiro256** needs 4 state words, got \(state.count)")
        }
        guard state.contains(where: { $0 != 0 }) else {
            throw RandomGeneratorError.invalidState("xoshiro256** state must not be all zero")
        }
        self.state = state
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(state: try container.decode([UInt64].self, forKey: .state))
        } catch let error as RandomGeneratorError {
            throw DecodingError.dataCorruptedError(forKey: .state, in: container, debugDescription: error.description)
        }
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotateLeft(state[3], 45)
        return result
    }

    /// Advances the state by 2¹²⁸ steps: a way to make non-overlapping streams from one seed.
    public mutating func jump() {
        let polynomial: [UInt64] = [0x180E_C6D3_3CFD_0ABA, 0xD5A6_1266_F0C9_392C, 0xA958_2618_E03F_C9AA, 0x39AB_DC45_29B1_661C]
        var result: [UInt64] = [0, 0, 0, 0]
        for word in polynomial {
            for bit in 0..<64 {
                if word & (1 << UInt64(bit)) != 0 {
                    for index in 0..<4 { result[index] ^= state[index] }
                }
                _ = next()
            }
        }
        state = result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// A random generator state that cannot be used.
public enum RandomGeneratorError: Error, CustomStringConvertible, Equatable {
    case invalidState(String)

    public var description: String {
        switch self {
        case .invalidState(let reason): "invalid random generator state: \(reason)"
        }
    }
}
