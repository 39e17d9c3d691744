import CKeelKernels

// One scalar dispatch for every C kernel wrapper: `Precision.of(S.self)` picks the `keel_s_*` or
// `keel_d_*` entry point, and `f32`/`f64` reinterpret the generic pointers for it. This replaces a
// Float twin and a Double twin of each wrapper.

extension Kernels {
    /// The C kernels' two precisions; ``TensorScalar`` has exactly these conformers.
    package enum Precision {
        case single, double

        /// The precision of `S`; a constant once the generic caller is specialized.
        @inline(__always)
        package static func of<S: TensorScalar>(_: S.Type) -> Precision {
            if S.self == Float.self { return .single }
            precondition(S.self == Double.self, "Keel kernels support Float and Double, not \(S.self)")
            return .double
        }
    }
}

// Pointer reinterpretation for the dispatch: `S` is `Float` or `Double`, checked by `Precision.of`.
// Through `OpaquePointer` (transparent, non-generic conversions): no generic metadata and no
// closure in code that runs unspecialized, as most of the library does. (An `Optional.map` here
// cost a closure allocation and two metadata lookups per pointer, 10% of config A's step.)
@inline(__always) func f32<S>(_ p: UnsafePointer<S>?) -> UnsafePointer<Float>? { UnsafePointer(OpaquePointer(p)) }
@inline(__always) func f32<S>(_ p: UnsafeMutablePointer<S>?) -> UnsafeMutablePointer<Float>? { UnsafeMutablePointer(OpaquePointer(p)) }
@inline(__always) func f64<S>(_ p: UnsafePointer<S>?) -> UnsafePointer<Double>? { UnsafePointer(OpaquePointer(p)) }
@inline(__always) func f64<S>(_ p: UnsafeMutablePointer<S>?) -> UnsafeMutablePointer<Double>? { UnsafeMutablePointer(OpaquePointer(p)) }

// Scalar reinterpretation for the dispatch (same size and layout once `Precision.of` has matched).
@inline(__always) func s32<S: TensorScalar>(_ x: S) -> Float { unsafeBitCast(x, to: Float.self) }
@inline(__always) func s64<S: TensorScalar>(_ x: S) -> Double { unsafeBitCast(x, to: Double.self) }
