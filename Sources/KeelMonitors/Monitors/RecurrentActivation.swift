/// The recurrent activation σ in xₜ = W_rec σ(xₜ₋₁) + W_in uₜ + b, which sets γ (a bound on |σ′|)
/// in Pascanu's criterion.
public enum RecurrentActivation: Sendable, Codable, Hashable {
    /// tanh: γ = 1.
    case tanh
    /// The logistic sigmoid: γ = ¼.
    case sigmoid
    /// Any other activation, by its bound γ on |σ′| (ReLU: 1).
    case derivativeBound(Double)

    /// γ, the bound on |σ′|.
    public var gamma: Double {
        switch self {
        case .tanh: 1
        case .sigmoid: 0.25
        case .derivativeBound(let gamma): gamma
        }
    }
}
