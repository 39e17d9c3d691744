/// Inverted dropout: in training, each element is kept with probability 1 − p and scaled by
/// 1/(1 − p) (so the expected output equals the input), or zeroed; in inference, the identity.
///
/// **Shapes.** Any; the output has the input's shape. No parameters.
///
/// The mask is drawn from `context.generator`, one uniform u per element in row-major order,
/// keeping the element when u ≥ p: the same context seed gives the same mask. With p = 1 every
/// element is zeroed. ∂L/∂x = ∂L/∂y ∘ mask.
///
/// ## References
/// - N. Srivastava et al., "Dropout: A Simple Way to Prevent Neural Networks from Overfitting",
///   JMLR 15, 2014.
public struct Dropout<Scalar: TensorScalar>: Layer, BufferContainer {
    /// The probability p of zeroing an element.
    public var rate: Double

    /// - Precondition: `0 ≤ rate ≤ 1`.
    public init(rate: Double) {
        precondition((0...1).contains(rate), "Dropout: rate \(rate) must lie in [0, 1]")
        self.rate = rate
    }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {}
    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {}

    /// The scaled mask (0 or 1/(1 − p) per element), or `nil` when the pass was the identity.
    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Tensor<Scalar>?) {
        guard context.isTraining && rate > 0 else { return (input, nil) }
        let keep = rate < 1 ? 1 / (1 - rate) : 0
        let threshold = rate
        var mask = Tensor<Scalar>.zeros(input.shape)
        mask.withUnsafeMutableBufferPointer { buffer in
            if Scalar.self == Float.self {
                buffer.withMemoryRebound(to: Float.self) { values in
                    let scaled = Float(keep)
                    for index in values.indices { values[index] = context.generator.nextUnitDouble() >= threshold ? scaled : 0 }
                }
            } else if Scalar.self == Double.self {
                buffer.withMemoryRebound(to: Double.self) { values in
                    for index in values.indices { values[index] = context.generator.nextUnitDouble() >= threshold ? keep : 0 }
                }
            } else {
                preconditionFailure("Dropout supports Float and Double tensors, not \(Scalar.self)")
            }
        }
        return (input * mask, mask)
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Tensor<Scalar>?, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        guard let mask = cache else { return outputGradient }
        precondition(outputGradient.shape == mask.shape, "Dropout.backward: output gradient shape \(outputGradient.shape) differs from the output shape \(mask.shape)")
        return outputGradient * mask
    }
}
