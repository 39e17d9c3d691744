// The internal helper layers and cells use to add gradients into their own keys in place.

extension ParameterSet {
    /// Runs `body` on the gradient under `key` in place.
    mutating func accumulate(_ key: ParameterKey, operation: String = "backward", _ body: (inout Tensor<Scalar>) -> Void) {
        guard let position = index(of: key) else {
            preconditionFailure(
                "\(operation): gradients have no entry \(key) (has \(keys.map(\.rawValue))); start from parameters.zerosLike()")
        }
        withTensor(at: position, body)
    }

    /// Adds the columns `columns` of the row-major matrix `source` (`[m, n]`) into the gradient
    /// under `key` (`[m, columns.count]`, or `[m]` for one column), one row at a time: no slice of
    /// `source` is materialized (BPTT's `[∂W_hh | ∂W_ih | ∂b]` product is split this way).
    mutating func accumulateColumns(
        _ key: ParameterKey, of source: Tensor<Scalar>, _ columns: Range<Int>, operation: String = "backward"
    ) {
        let rows = source.shape[0], stride = source.shape[1], width = columns.count
        accumulate(key, operation: operation) { gradient in
            precondition(
                gradient.scalarCount == rows * width,
                "\(operation): gradient \(key) has shape \(gradient.shape), expected \(rows) × \(width) columns of \(source.shape)")
            source.withUnsafeBufferPointer { s in
                gradient.withUnsafeMutableBufferPointer { g in
                    for row in 0..<rows {
                        Kernels.axpy(
                            count: width, alpha: 1, s.baseAddress! + row * stride + columns.lowerBound, g.baseAddress! + row * width)
                    }
                }
            }
        }
    }
}

/// U(−bound, bound) samples: PyTorch's default for recurrent weights and biases, bound = 1/√hiddenSize.
func uniformTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(
    _ shape: [Int], bound: Scalar, using generator: inout G
) -> Tensor<Scalar> {
    Tensor(randomUniform: shape, lowerBound: -bound, upperBound: bound, using: &generator)
}
