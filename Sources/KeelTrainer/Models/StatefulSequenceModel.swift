/// A model over time-major sequences with a state that can be carried across windows: what
/// ``TruncatedBPTT`` and the gradient-flow profile need from a model.
///
/// The trainer calls ``forward(_:initialState:context:)`` once per window, carrying
/// `finalState` into the next window as a constant, and `backward(_:cache:gradients:context:)`
/// once per window. The gradient-flow profiles ‖∂L/∂hₜ‖₂ (one per recurrent layer, in the order of
/// ``gradientFlowKeys``) are the `profile` arguments of the layers' backward passes, surfaced here: this is how the trainer records gradient flow
/// without a recorder object in `ForwardContext` (a plain `Layer.backward(_:cache:gradients:)`
/// has no place for it).
///
/// `Recurrent`, ``SequenceModel`` and ``RecurrentNetwork`` conform.
///
/// **Shapes.** input `[T, batch, features]`; output `[T, batch, outputs]` (per-step models) or
/// `[batch, outputs]` (last-step models).
///
/// ## Implementation requirements
/// - `forward(x, initialState: nil, …)` equals `Layer.forward(_:context:)`.
/// - `backward(…, context: &c)` with a default `SequenceBackwardContext()` adds the same gradients
///   as `Layer.backward(_:cache:gradients:)`.
/// - A context that records gradient flow receives exactly `gradientFlowKeys.count` profiles.
public protocol StatefulSequenceModel<Scalar>: Layer {
    /// The state carried between windows.
    associatedtype SequenceState
    /// What a window's forward pass saves for its backward pass.
    associatedtype WindowCache

    /// Runs `input` from `initialState` (zeros when `nil`) and returns the output, the final
    /// state and the cache.
    func forward(
        _ input: Tensor<Scalar>, initialState: SequenceState?, context: inout ForwardContext
    ) -> (output: Tensor<Scalar>, finalState: SequenceState, cache: WindowCache)

    /// Adds ∂L/∂θ of one window into `gradients` and returns ∂L/∂input. The context's
    /// `truncationDepth` k2 limits the steps backpropagated (nil: all); a context that records
    /// gradient flow receives one profile per entry of ``gradientFlowKeys``: the T norms
    /// ‖∂L/∂hₜ‖₂ of that recurrent layer.
    func backward(
        _ outputGradient: Tensor<Scalar>, cache: WindowCache, gradients: inout ParameterSet<Scalar>,
        context: inout SequenceBackwardContext
    ) -> Tensor<Scalar>

    /// Whether the output has a time axis (`[T, batch, …]`), so that targets are sliced per
    /// window; `false` means only the last step is output and only the last window has a loss.
    var outputsSequence: Bool { get }

    /// The keys of the recurrent (hidden-to-hidden) weight matrices, whose σ_max the trainer
    /// estimates for `ObservationNeeds.recurrentDynamics`.
    var recurrentWeightKeys: [ParameterKey] { get }

    /// One key per recurrent layer, naming the layer's gradient-flow profile (the layer's first
    /// recurrent weight; for a bidirectional layer its forward direction's). The default is
    /// ``recurrentWeightKeys``.
    var gradientFlowKeys: [ParameterKey] { get }
}

extension StatefulSequenceModel {
    /// ``recurrentWeightKeys``: right for models with one recurrent weight per layer.
    public var gradientFlowKeys: [ParameterKey] { recurrentWeightKeys }
}
