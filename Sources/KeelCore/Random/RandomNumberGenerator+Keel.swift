/// Platform-independent conversions from random bits to floating-point numbers.
///
/// The standard library's `Float.random(in:using:)` is free to change its algorithm; Keel's
/// tensors and initializers use these instead, so a seed means the same numbers everywhere.
extension RandomNumberGenerator {
    /// A uniform `Double` in [0, 1): the top 53 bits of `next()` times 2⁻⁵³.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform `Float` in [0, 1): the top 24 bits of `next()` times 2⁻²⁴.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Two independent standard normal numbers by Marsaglia's polar method.
    ///
    /// Draws u, v uniform in (−1, 1) until s = u² + v² lies in (0, 1), then returns
    /// (u·√(−2 ln s / s), v·√(−2 ln s / s)). The logarithm is Keel's own (``portableLog(_:)``), so
    /// the result is the same on every platform.
    ///
    /// ## References
    /// - G. Marsaglia, T. A. Bray, "A Convenient Method for Generating Normal Variables", SIAM
    ///   Review 6(3), 1964.
    public mutating func nextStandardNormalPair() -> (Double, Double) {
        while true {
            let u = 2 * nextUnitDouble() - 1
            let v = 2 * nextUnitDouble() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * portableLog(s) / s).squareRoot()
                return (u * factor, v * factor)
            }
        }
    }
}

/// The natural logarithm of a positive, finite, normal `x`, computed with basic IEEE arithmetic
/// only, so it gives the same bits on every platform (libm's `log` may differ in the last place).
///
/// x = m·2ᵉ with m in [√½, √2); ln m = 2·atanh(z) with z = (m − 1)/(m + 1), |z| ≤ 0.1716, summed as
/// an odd series to z²³ (truncation error below 2⁻⁵⁶); ln x = ln m + e·ln 2. Accurate to about one
/// ulp.
public func portableLog(_ x: Double) -> Double {
    precondition(x > 0 && x.isFinite, "portableLog: argument \(x) must be positive and finite")
    var exponent = Int(x.exponent)
    var mantissa = x.significand  // [1, 2)
    if mantissa > 1.4142135623730951 {
        mantissa /= 2
        exponent += 1
    }
    let z = (mantissa - 1) / (mantissa + 1)
    let z2 = z * z
    var series = 0.0
    var denominator = 23.0
    while denominator >= 1 {
        series = series * z2 + 1 / denominator
        denominator -= 2
    }
    let lnMantissa = 2 * z * series
    let ln2High = 0.693147180369123816490  // ln 2 split so e·ln2High is exact
    let ln2Low = 1.90821492927058770002e-10
    return (Double(exponent) * ln2High + lnMantissa) + Double(exponent) * ln2Low
}
