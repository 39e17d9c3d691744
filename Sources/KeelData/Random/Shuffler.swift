/// Seeded, platform-independent shuffling and bounded integers.
///
/// The standard library's `shuffle(using:)` and `Int.random(in:using:)` may change their
/// algorithms between releases; these are fixed, so a seed means the same order everywhere.
///
/// - ``uniformInteger(below:using:)`` draws uniformly from 0 ..< n by rejection: a 64-bit draw
///   `r` is accepted when `r < 2⁶⁴ − (2⁶⁴ mod n)`, and `r mod n` is returned, so there is no
///   modulo bias.
/// - ``shuffle(_:using:)`` is the Fisher–Yates (Durstenfeld) shuffle: for i from n − 1 down to 1,
///   swap element i with element j = uniformInteger(below: i + 1). Every permutation is equally
///   likely, in n − 1 draws.
///
/// ## References
/// - R. Durstenfeld, "Algorithm 235: Random permutation", Communications of the ACM 7(7), 1964.
/// - D. E. Knuth, The Art of Computer Programming, Vol. 2, §3.4.2, Algorithm P.
public enum Shuffler {
    /// A uniform integer in 0 ..< `upperBound`.
    ///
    /// - Precondition: `upperBound > 0`.
    public static func uniformInteger<G: RandomNumberGenerator>(below upperBound: Int, using generator: inout G) -> Int {
        precondition(upperBound > 0, "Shuffler.uniformInteger(below:): upper bound \(upperBound) must be positive")
        let bound = UInt64(upperBound)
        let threshold = (0 &- bound) % bound  // 2⁶⁴ mod bound
        while true {
            let draw = generator.next()
            if draw >= threshold { return Int(draw % bound) }
        }
    }

    /// Shuffles `elements` in place by Fisher–Yates.
    public static func shuffle<Element, G: RandomNumberGenerator>(_ elements: inout [Element], using generator: inout G) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            let j = uniformInteger(below: i + 1, using: &generator)
            if i != j { elements.swapAt(i, j) }
        }
    }

    /// A uniformly random permutation of 0 ..< `count`.
    public static func permutation<G: RandomNumberGenerator>(count: Int, using generator: inout G) -> [Int] {
        var order = Array(0..<count)
        shuffle(&order, using: &generator)
        return order
    }
}
