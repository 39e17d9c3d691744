import KeelCore

/// A learned per-feature affine map: y = x ⊙ γ + β over the last axis, the trainable part of a
/// normalization layer.
///
/// Shapes: input `[…, featureCount]`, output the same; `scale` (γ) and `shift` (β) `[featureCount]`.
/// Backward: ∂L/∂γ = Σ ∂L/∂y ⊙ x and ∂L/∂β = Σ ∂L/∂y over every axis but the last; ∂L/∂x = ∂L/∂y ⊙ γ.
public struct FeatureAffine<Scalar: TensorScalar>: Layer {
    /// What backward needs: the input.
    public typealias Cache = Tensor<Scalar>

    /// γ, `[featureCount]`.
    public var scale: Tensor<Scalar>
    /// β, `[featureCount]`.
    public var shift: Tensor<Scalar>

    /// γ drawn around 1 and β around 0 (small seeded perturbations, so a gradient check sees
    /// every term).
    public init(featureCount: Int, seed: UInt64) {
        precondition(featureCount > 0, "FeatureAffine: featureCount \(featureCount) must be positive")
        var generator = Xoshiro256StarStar(seed: seed)
        scale = Tensor(randomUniform: [featureCount], lowerBound: 0.9, upperBound: 1.1, using: &generator)
        shift = Tensor(randomUniform: [featureCount], lowerBound: -0.1, upperBound: 0.1, using: &generator)
    }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("scale", scale)
        try visitor("shift", shift)
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("scale", &scale)
        try visitor("shift", &shift)
    }

    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Tensor<Scalar>) {
        (input * scale + shift, input)
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Tensor<Scalar>, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        let features = scale.shape[0]
        let rows = [-1, features]
        gradients.addGradient((outputGradient * cache).reshaped(to: rows).sum(alongAxis: 0), for: "scale")
        gradients.addGradient(outputGradient.reshaped(to: rows).sum(alongAxis: 0), for: "shift")
        return outputGradient * scale
    }
}
