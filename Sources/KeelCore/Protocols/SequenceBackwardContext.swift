/// What a trainer asks of a sequence model's backward pass besides the gradients: how many steps
/// to backpropagate (truncated BPTT's k2) and, when it observes the gradient flow, one profile
/// ‖∂L/∂hₜ‖₂ (t = 0 ..< T) per recurrent layer.
///
/// Passed `inout` through `StatefulSequenceModel.backward` and
/// `RecurrentSequenceLayer.backwardSequence`; each recurrent layer appends its profile with
/// ``record(_:)`` when ``recordsGradientFlow`` is set, a stack keeping its layers in input order.
/// The per-cell kernels receive the same requests through ``RecurrentBackwardContext``.
public struct SequenceBackwardContext: Sendable {
    /// k2: backpropagate through at most the last k2 steps of each window (nil: all steps).
    public var truncationDepth: Int?
    /// Whether the layers record their gradient-flow profile.
    public var recordsGradientFlow: Bool
    /// The recorded profiles, one per recurrent layer, the input side first; each has T entries
    /// (0 for steps beyond the truncation depth).
    public var gradientFlow: [[Double]] = []

    /// A context for a backward pass through at most `truncationDepth` steps (nil: all), recording
    /// the gradient flow when asked.
    ///
    /// - Precondition: `truncationDepth` ≥ 1 when given.
    public init(truncationDepth: Int? = nil, recordsGradientFlow: Bool = false) {
        if let truncationDepth { precondition(truncationDepth >= 1, "SequenceBackwardContext: truncationDepth \(truncationDepth) must be ≥ 1") }
        self.truncationDepth = truncationDepth
        self.recordsGradientFlow = recordsGradientFlow
    }

    /// Appends one layer's profile (nothing unless ``recordsGradientFlow``).
    public mutating func record(_ profile: [Double]) {
        if recordsGradientFlow { gradientFlow.append(profile) }
    }

    /// A context with the same requests and no profiles yet, for a layer that combines the
    /// profiles of its parts (a bidirectional layer's two directions).
    public var emptied: SequenceBackwardContext {
        SequenceBackwardContext(truncationDepth: truncationDepth, recordsGradientFlow: recordsGradientFlow)
    }
}
