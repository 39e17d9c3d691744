/// A transform that bounds the size of the updates, declares the bound it keeps, and reports what
/// it did.
///
/// Implementation requirements, which the conformance suite checks:
/// - The output keeps ``guarantee`` for every finite input.
/// - Below the threshold the output is bit-identical to the input (no multiplication by a
///   coefficient of 1 rounded to 0.99999994).
/// - A zero gradient stays zero, never NaN.
/// - Each step appends exactly one `.clip(ClipReport(…))` to `context.reports`, fired or not,
///   whose numbers agree with what it did: norms before and after in the guarantee's units, the
///   uniform coefficient (nil when not uniform), the threshold in force, and `fired` exactly when
///   the output differs from the input.
/// - A ``ThresholdClipper``'s setter moves the bound, and an adaptive bound follows the clipper's
///   own history (its state, including after a `Codable` round trip).
public protocol GradientClipper<Scalar>: GradientTransform {
    /// The bound the output keeps.
    var guarantee: ClippingGuarantee { get }
}

/// A clipper whose threshold is one number that may change between steps, so a schedule can
/// drive it (``InjectHyperparameters``).
public protocol ThresholdClipper<Scalar>: GradientClipper {
    /// The threshold: the maximal norm, value, RMS or ratio, depending on the clipper.
    var threshold: Double { get set }
}
