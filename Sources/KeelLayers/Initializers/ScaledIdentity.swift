/// The identity matrix times `gain`: the IRNN recurrent initialization (ReLU RNN with W_hh = I).
///
/// **Shapes.** A matrix `[rows, columns]`; a rectangular one gets ones on its main diagonal
/// (PyTorch's `eye_`).
///
/// ## References
/// - Q. V. Le, N. Jaitly, G. E. Hinton, "A Simple Way to Initialize Recurrent Networks of
///   Rectified Linear Units", arXiv:1504.00941, 2015.
public struct ScaledIdentity: Initializer {
    /// The factor applied to the whole tensor.
    public var gain: Double

    /// An initializer with the given `gain`.
    public init(gain: Double = 1) { self.gain = gain }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        precondition(shape.count == 2, "ScaledIdentity: needs a matrix shape [rows, columns], got \(shape)")
        var result = Tensor<Scalar>.zeros(shape)
        result.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<min(shape[0], shape[1]) { buffer[index * shape[1] + index] = Scalar(gain) }
        }
        return result
    }
}
