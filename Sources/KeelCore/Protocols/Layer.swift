/// A differentiable function with parameters and an explicit backward pass: Keel's building block.
///
/// `forward` returns the output and a cache of what `backward` needs; `backward` takes the
/// gradient of the loss with respect to the output, **adds** the parameter gradients into
/// `gradients` (a set with this layer's keys, as in ``ParameterContainer/parameters``), and
/// returns the gradient with respect to the input. Composites (`Sequential`, `Residual`,
/// `Recurrent`) derive their backward from their children's, so models built from layers never
/// need hand-written calculus; a new primitive writes its own backward and proves it against
/// finite differences with the conformance suite.
///
/// `forward` is `mutating` because some layers update state while training (BatchNorm's running
/// statistics); parameters change only through an optimizer.
///
/// **Shapes.** Each conformer documents its input and output shapes; dense layers take
/// `[batch, features]`, recurrent layers `[time, batch, features]`.
public protocol Layer<Scalar>: ParameterContainer, Sendable {
    /// What `forward` saves for `backward` (activations, masks, normalization statistics).
    associatedtype Cache

    /// Runs the layer on `input`.
    mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Cache)

    /// Backpropagates `outputGradient` (∂L/∂output, the shape of the output) through the pass that
    /// produced `cache`: adds ∂L/∂θ into `gradients` under this layer's keys and returns ∂L/∂input.
    func backward(_ outputGradient: Tensor<Scalar>, cache: Cache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar>
}

extension Layer {
    /// The output in inference mode (no dropout, running statistics): plain prediction.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var copy = self
        var context = ForwardContext(mode: .inference)
        return copy.forward(input, context: &context).output
    }
}
