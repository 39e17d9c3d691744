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
}

/// U(−bound, bound) samples: PyTorch's default for recurrent weights and biases, bound = 1/√hiddenSize.
func uniformTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(
    _ shape: [Int], bound: Scalar, using generator: inout G
) -> Tensor<Scalar> {
    Tensor(randomUniform: shape, lowerBound: -bound, upperBound: bound, using: &generator)
}
