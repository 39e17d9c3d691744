extension ParameterSet {
    /// Adds `gradient` into the tensor under `key` (in place, with broadcasting into its shape),
    /// appending it when the key is absent: how a layer's or cell's backward pass accumulates
    /// ∂L/∂θ across time steps and calls.
    ///
    /// - Precondition: when `key` is present, `gradient` broadcasts to that tensor's shape.
    public mutating func addGradient(_ gradient: Tensor<Scalar>, for key: ParameterKey) {
        if let index = index(of: key) {
            withTensor(at: index) { $0 += gradient }
        } else {
            append(gradient, for: key)
        }
    }
}
