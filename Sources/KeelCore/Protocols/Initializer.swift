/// A rule that fills a new parameter tensor: Glorot, He, orthogonal, identity, …
///
/// Initializers are named `Sendable` values that take an explicit generator, so the same seed
/// gives the same weights. Each conformer documents its formula in terms of the tensor's fans
/// (for a weight of shape `[out, in]`, fanIn = in and fanOut = out; see
/// ``Initializer/fans(of:)``).
public protocol Initializer: Sendable {
    /// A tensor of `shape` drawn from this rule.
    func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar>
}

extension Initializer {
    /// (fanIn, fanOut) of a weight of `shape`, as PyTorch's `_calculate_fan_in_and_fan_out`:
    /// for `[out, in, k…]`, fanIn = in·∏k and fanOut = out·∏k; a rank-1 shape `[n]` has both n.
    public static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        default:
            let receptive = shape.dropFirst(2).reduce(1, *)
            return (shape[1] * receptive, shape[0] * receptive)
        }
    }
}
