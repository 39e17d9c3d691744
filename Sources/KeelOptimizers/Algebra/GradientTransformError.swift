/// Why a transform refused a step. Every case names the parameter involved.
public enum GradientTransformError: Error, Sendable, CustomStringConvertible {
    /// The gradient of `key` (the first non-finite one, in set order) holds NaN or ±∞, and the
    /// transform was configured to refuse it; `norm` is the non-finite norm that was measured.
    case nonFiniteGradient(transform: String, key: ParameterKey, norm: Double)
    /// The transform needs the parameter `key` (AGC reads the weights) but the context's
    /// parameters do not hold it.
    case missingParameter(transform: String, key: ParameterKey)
    /// The parameter `key` and its update have different shapes.
    case shapeMismatch(transform: String, key: ParameterKey, update: [Int], parameter: [Int])

    public var description: String {
        switch self {
        case .nonFiniteGradient(let transform, let key, let norm):
            "\(transform): the gradient norm is \(norm); the first non-finite gradient is \(key)"
        case .missingParameter(let transform, let key):
            "\(transform): the context's parameters have no tensor \(key)"
        case .shapeMismatch(let transform, let key, let update, let parameter):
            "\(transform): the update of \(key) has shape \(update) but the parameter has shape \(parameter)"
        }
    }
}
