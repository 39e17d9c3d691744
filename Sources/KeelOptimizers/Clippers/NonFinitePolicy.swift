/// What a clipper does when the norm it measures is NaN or ±∞.
public enum NonFinitePolicy: Sendable, Hashable, Codable {
    /// Leave the updates as they are, non-finite values included, and report it: a later stage
    /// (``ApplyIfFinite``) or a monitor decides. PyTorch's `clip_grad_norm_` default
    /// (`error_if_nonfinite=False`), without its silent multiplication of everything by NaN.
    case propagate
    /// Throw ``GradientTransformError/nonFiniteGradient(transform:key:norm:)`` naming the first
    /// non-finite parameter; the updates are left unchanged.
    case throwError
    /// Replace every update by zero: the step does nothing.
    case skipUpdate
    /// Replace NaN and ±∞ by zero, then clip what is left.
    case zeroNonFinite
}
