/// A (semi-)orthogonal matrix times `gain`, as PyTorch's `orthogonal_`: Keel's default for
/// recurrent weights, whose singular values are all 1 so that repeated multiplication neither
/// explodes nor vanishes at initialization.
///
/// The tensor is viewed as a matrix `[rows, columns]` with rows = shape[0] and columns the product
/// of the other extents. A Gaussian matrix of that shape (transposed when rows < columns) is
/// factored A = QR by Householder reflections, Q's columns are multiplied by sign(diag R) so the
/// result is Haar-distributed, Q is transposed back if needed, and scaled by `gain`. Then
/// WᵀW = gain²·I when rows ≥ columns, WWᵀ = gain²·I otherwise.
///
/// ## References
/// - A. M. Saxe, J. L. McClelland, S. Ganguli, "Exact solutions to the nonlinear dynamics of
///   learning in deep linear neural networks", ICLR 2014.
/// - F. Mezzadri, "How to generate random matrices from the classical compact groups", Notices of
///   the AMS 54(5), 2007.
public struct Orthogonal: Initializer {
    /// The factor applied to the whole tensor.
    public var gain: Double

    /// An initializer with the given `gain`.
    public init(gain: Double = 1) { self.gain = gain }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        precondition(shape.count >= 2, "Orthogonal: needs a shape of rank 2 or more, got \(shape)")
        let rows = shape[0], columns = shape.dropFirst().reduce(1, *)
        guard rows > 0 && columns > 0 else { return .zeros(shape) }
        let tall = rows >= columns
        let (m, n) = tall ? (rows, columns) : (columns, rows)
        let gaussian = Tensor<Double>(randomNormal: [m, n], using: &generator).scalars
        let q = orthonormalFactor(gaussian, rows: m, columns: n)
        return Tensor(shape: shape) { buffer in
            for row in 0..<rows {
                for column in 0..<columns {
                    let value = tall ? q[row * n + column] : q[column * n + row]
                    buffer[row * columns + column] = Scalar(gain * value)
                }
            }
        }
    }
}
