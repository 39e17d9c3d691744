import KeelCore

/// Replaces each gradient by a bias-corrected exponential moving average of the gradients so far:
/// mₜ = β·mₜ₋₁ + (1 − β)·gₜ, output mₜ/(1 − βᵗ) (Adam's first moment, as a pipeline stage).
///
/// The state (the average and the step count) is `Codable`, so checkpoints resume it exactly.
/// Place it before an optimizer: `Chain { SmoothedGradients<Float>(beta: 0.9); SGD<Float>(learningRate: 0.1) }`.
public struct SmoothedGradients<Scalar: TensorScalar>: GradientTransform {
    /// The average and how many gradients it has seen.
    public struct State: Codable, Sendable, Equatable {
        /// mₜ, shaped like the parameters.
        public var average: ParameterSet<Scalar>
        /// t, the number of gradients averaged.
        public var count: Int
    }

    /// β in [0, 1): how much of the past the average keeps.
    public var beta: Double

    /// A stage averaging with decay `beta` (default 0.9).
    ///
    /// - Precondition: 0 ≤ `beta` < 1.
    public init(beta: Double = 0.9) {
        precondition((0..<1).contains(beta), "SmoothedGradients: beta \(beta) must be in [0, 1)")
        self.beta = beta
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        State(average: parameters.zerosLike(), count: 0)
    }

    public func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws {
        state.count += 1
        state.average.scale(by: Scalar(beta))
        state.average.add(updates, scaledBy: Scalar(1 - beta))
        var correction = 1.0
        for _ in 0..<state.count { correction *= beta }
        updates = state.average.scaled(by: Scalar(1 / (1 - correction)))
    }
}
