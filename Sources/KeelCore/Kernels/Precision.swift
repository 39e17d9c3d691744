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
@inline(__always) func f32<S>(_ p: UnsafePointer<S>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}
@inline(__always) func f32<S>(_ p: UnsafePointer<S>?) -> UnsafePointer<Float>? { p.map(f32) }
@inline(__always) func f32<S>(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}
@inline(__always) func f32<S>(_ p: UnsafeMutablePointer<S>?) -> UnsafeMutablePointer<Float>? { p.map(f32) }
@inline(__always) func f64<S>(_ p: UnsafePointer<S>) -> UnsafePointer<Double> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Double.self)
}
@inline(__always) func f64<S>(_ p: UnsafePointer<S>?) -> UnsafePointer<Double>? { p.map(f64) }
@inline(__always) func f64<S>(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Double> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
}
@inline(__always) func f64<S>(_ p: UnsafeMutablePointer<S>?) -> UnsafeMutablePointer<Double>? { p.map(f64) }


// Scalar reinterpretation for the dispatch (same size and layout once `Precision.of` has matched).
@inline(__always) func s32<S: TensorScalar>(_ x: S) -> Float { unsafeBitCast(x, to: Float.self) }
@inline(__always) func s64<S: TensorScalar>(_ x: S) -> Double { unsafeBitCast(x, to: Double.self) }
