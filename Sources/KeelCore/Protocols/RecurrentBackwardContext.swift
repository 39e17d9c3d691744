/// What a recurrent backward pass needs besides the gradients: how far to backpropagate, whether
/// ∂L/∂input is wanted, which extra gradient terms to add, and whether to record the gradient
/// flow. Trainer and monitor concerns travel in this one value instead of as parameters of every
/// layer's backward.
///
/// **Gradient flow.** When ``recordsGradientFlow`` is set, the backward pass stores
/// ‖∂L/∂hₜ‖₂ for t = 0…T−1 in ``gradientFlow`` (the total gradient reaching the hidden state at
/// step t, from the output and from the future; 0 beyond the truncation depth). Exploding
/// gradients show as growth towards small t, vanishing ones as decay (Pascanu et al. 2013).
public struct RecurrentBackwardContext<Scalar: TensorScalar> {
    /// k2 of truncated BPTT: backpropagate through at most the last k2 steps (nil: all).
    public var truncationDepth: Int?
    /// Whether ∂L/∂input is computed (`false`: zeros, and engines may skip the work).
    public var computesInputGradient: Bool
    /// Terms whose gradients the pass adds (regularizers such as Pascanu's Ω).
    public var gradientTerms: [any RecurrentGradientTerm]
    /// Whether the pass records ``gradientFlow``.
    public var recordsGradientFlow: Bool
    /// ‖∂L/∂hₜ‖₂ per step of the last pass, when ``recordsGradientFlow`` is set.
    public var gradientFlow: [Double]?

    /// A context for one backward pass.
    public init(
        truncationDepth: Int? = nil, computesInputGradient: Bool = true, gradientTerms: [any RecurrentGradientTerm] = [],
        recordsGradientFlow: Bool = false
    ) {
        self.truncationDepth = truncationDepth
        self.computesInputGradient = computesInputGradient
        self.gradientTerms = gradientTerms
        self.recordsGradientFlow = recordsGradientFlow
    }
}

/// A term Ω(θ) whose gradient a recurrent layer adds during its backward pass, from quantities
/// only that pass holds (the pre-activation gradients δₜ): how regularizers attach to a layer
/// (`Recurrent.addGradientTerm(_:)`) instead of being special cases inside it.
public protocol RecurrentGradientTerm: Sendable {
    /// Throws ``RecurrentGradientTermError`` when the term is not defined for a cell whose
    /// whole-sequence kernel is `kernel` (nil: a cell without one).
    func validate(sequenceKernel kernel: Kernels.RecurrentCellKind?) throws

    /// Adds ∂Ω/∂θ for one backward pass into `gradients` (the layer's parameter keys).
    func addGradient<Scalar: TensorScalar>(for pass: RecurrentBackwardPass<Scalar>, into gradients: inout ParameterSet<Scalar>)
}

/// Why a gradient term cannot attach to a layer.
public struct RecurrentGradientTermError: Error, Equatable, CustomStringConvertible {
    /// What is wrong, naming the term and the cell.
    public let description: String

    /// An error with `description`.
    public init(_ description: String) { self.description = description }
}

/// The quantities of one whole-sequence backward pass that a ``RecurrentGradientTerm`` reads.
///
/// **Shapes.** `preactivationGradients` δ is `[steps·batch, G·hidden]` for the processed steps
/// (time-major, the last `steps` of T); `outputGradients` `[T, batch, hidden]`;
/// `finalHiddenGradient` `[batch, hidden]`; `weightHH` `[G·hidden, hidden]`.
public struct RecurrentBackwardPass<Scalar: TensorScalar> {
    /// The cell's kernel (the terms validated against it).
    public let kernel: Kernels.RecurrentCellKind
    /// δₜ = ∂L/∂aₜ of the processed steps.
    public let preactivationGradients: Tensor<Scalar>
    /// ∂L/∂yₜ from the layer's output (nil: the loss reads only the final state).
    public let outputGradients: Tensor<Scalar>?
    /// ∂L/∂h_T entering the last step.
    public let finalHiddenGradient: Tensor<Scalar>
    /// W_hh.
    public let weightHH: Tensor<Scalar>

    /// The quantities of one pass.
    public init(
        kernel: Kernels.RecurrentCellKind, preactivationGradients: Tensor<Scalar>, outputGradients: Tensor<Scalar>?,
        finalHiddenGradient: Tensor<Scalar>, weightHH: Tensor<Scalar>
    ) {
        self.kernel = kernel
        self.preactivationGradients = preactivationGradients
        self.outputGradients = outputGradients
        self.finalHiddenGradient = finalHiddenGradient
        self.weightHH = weightHH
    }
}
