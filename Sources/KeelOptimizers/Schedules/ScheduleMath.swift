// The few libm functions schedules and bias corrections need (KeelOptimizers does not import
// Foundation).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum ScheduleMath {
    static func power(_ base: Double, _ exponent: Double) -> Double { pow(base, exponent) }
    static func cosine(_ x: Double) -> Double { cos(x) }
}
