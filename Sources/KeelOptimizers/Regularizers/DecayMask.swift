/// Which parameters a regularizer touches: a predicate on the key (and, for the built-in rule,
/// the tensor's shape, read from `context.parameters`).
///
/// ```swift
/// L2Regularization<Float>(coefficient: 1e-4, mask: .excludingBiasesAndNorms)
/// L2Regularization<Float>(coefficient: 1e-4) { !$0.hasPrefix("embedding") }
/// ```
public struct DecayMask: Sendable {
    private let predicate: @Sendable (ParameterKey, [Int]) -> Bool

    /// A mask that includes the keys `includes` accepts.
    public init(_ includes: @escaping @Sendable (ParameterKey) -> Bool) {
        predicate = { key, _ in includes(key) }
    }

    /// A mask that decides from the key and the tensor's shape.
    public init(shapeAware includes: @escaping @Sendable (ParameterKey, _ shape: [Int]) -> Bool) {
        predicate = includes
    }

    /// Every parameter.
    public static let all = DecayMask { _ in true }

    /// The common "no decay on biases and normalization parameters" rule: skips every tensor of
    /// rank ≤ 1 (biases, LayerNorm/BatchNorm scales and offsets, gains) and every key whose last
    /// component starts with `bias` (a bias stored as a matrix); decays the rest (weight matrices,
    /// embeddings, convolution kernels).
    public static let excludingBiasesAndNorms = DecayMask(shapeAware: { key, shape in
        shape.count >= 2 && !key.name.hasPrefix("bias")
    })

    /// Whether the parameter `key` with shape `shape` is regularized.
    public func includes(_ key: ParameterKey, shape: [Int]) -> Bool { predicate(key, shape) }
}

/// The state of the regularizers that remember nothing.
public struct RegularizationState: Codable, Sendable, Hashable {
    /// The (only) state.
    public init() {}
}
