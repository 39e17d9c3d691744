/// A floating-point type a ``Tensor`` can hold: `Float` (what training uses) or `Double` (what
/// gradient checks and conformance suites use).
///
/// `Float` and `Double` are the only conformers Keel supports: every hot loop runs in a C kernel
/// (run-time CPU dispatch) with a single- and a double-precision entry point, and the package's
/// kernel wrappers pick one per buffer, never per element. A third conformer stops with a
/// precondition failure at its first kernel call.
public protocol TensorScalar: BinaryFloatingPoint, Codable, Sendable, LosslessStringConvertible
where RawSignificand: FixedWidthInteger {}

extension Float: TensorScalar {}

extension Double: TensorScalar {}
