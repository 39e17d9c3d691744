/// Derives the random generator for one batch from a source's seed and the batch's position.
///
/// Every `BatchSource` in KeelData is random access: the batch at (epoch, index) must be the
/// same however often, and in whatever order, it is asked for. So no generator state is carried
/// from batch to batch; each batch seeds a fresh `Xoshiro256StarStar` from a 64-bit key mixed
/// out of (seed, epoch, index, stream) by SplitMix64's finalizer, applied once per component:
///
///     key = mix(mix(mix(mix(seed) ^ epoch) ^ index) ^ stream)
///
/// where `mix(z) = z′ ^ (z′ >> 31)` after the two multiply-xorshift rounds of SplitMix64. The
/// finalizer is a bijection with full avalanche, so neighbouring positions give unrelated streams.
/// `stream` separates independent uses at the same position (for example the per-epoch shuffle
/// order and the per-batch content).
///
/// ## References
/// - G. L. Steele, D. Lea, C. H. Flood, "Fast Splittable Pseudorandom Number Generators",
///   OOPSLA 2014 (SplitMix64).
public enum BatchSeed {
    /// The 64-bit key for position (`epoch`, `index`) of the source seeded with `seed`.
    public static func key(seed: UInt64, epoch: Int, index: Int, stream: UInt64 = 0) -> UInt64 {
        var z = mix(seed)
        z = mix(z ^ UInt64(bitPattern: Int64(epoch)))
        z = mix(z ^ UInt64(bitPattern: Int64(index)))
        return mix(z ^ stream)
    }

    /// A fresh generator for position (`epoch`, `index`) of the source seeded with `seed`.
    public static func generator(seed: UInt64, epoch: Int, index: Int, stream: UInt64 = 0) -> Xoshiro256StarStar {
        Xoshiro256StarStar(seed: key(seed: seed, epoch: epoch, index: index, stream: stream))
    }

    /// SplitMix64's output function applied to `value + golden gamma`.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
