/// A cell whose step is "project, then gate": the built-in ``RNNCell``, ``LSTMCell`` and
/// ``GRUCell``, which `Recurrent` runs on a fused fast path.
///
/// A step computes the input projection and the hidden projection for all G gates at once,
///
///     zx = x W_ihᵀ + b_ih        zh = h W_hhᵀ + b_hh        (both [batch, G·hiddenSize])
///
/// and then elementwise gate math (``pointwiseForward(inputProjection:hiddenProjection:state:)``).
///
/// `Recurrent` runs such cells on a fused path. For the built-in cells it is one C kernel per
/// sequence and direction: per step one GEMM of the stacked `[h₋₁ | x | 1]` rows against
/// `[W_hh | W_ih | b]` (GRU: two, since its b_hh sits inside r ∘ (·)), the gate math in place, all
/// states and caches written into buffers allocated once, and the batch split over the worker
/// pool (results do not depend on the thread count); after the loop ∂L/∂[W_hh | W_ih | b] is one
/// GEMM. Any other conformer runs the generic fused path: zx for all steps as one GEMM before
/// the loop, one recurrent GEMM per step around these two pointwise requirements, and the weight
/// and input gradients as one GEMM each after it. Both give the step-by-step path's results
/// (`Cell.step(_:state:)`) up to rounding.
///
/// **Shapes.** `weightIH` is `[G·hiddenSize, inputSize]`, `weightHH` `[G·hiddenSize, hiddenSize]`,
/// `biasIH` and `biasHH` `[G·hiddenSize]`: PyTorch's layout, so weights can be exchanged.
public protocol GatedRecurrentCell<Scalar>: Cell where State: RecurrentHiddenState<Scalar> {
    /// What the pointwise gate math saves for its backward pass.
    associatedtype PointwiseCache: Sendable

    /// The number of gate blocks G (1 for RNN, 4 for LSTM, 3 for GRU).
    static var gateCount: Int { get }

    /// Whether ``pointwiseBackward(stateGradient:cache:)`` returns one tensor for both projection
    /// gradients (z = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh enters the gates as one sum: RNN, LSTM; not
    /// GRU). The fused engine then sums it once. Default `false`.
    static var sharesProjectionGradients: Bool { get }

    /// W_ih, `[G·hiddenSize, inputSize]`.
    var weightIH: Tensor<Scalar> { get }
    /// W_hh, `[G·hiddenSize, hiddenSize]`.
    var weightHH: Tensor<Scalar> { get }
    /// b_ih, `[G·hiddenSize]`.
    var biasIH: Tensor<Scalar> { get }
    /// b_hh, `[G·hiddenSize]`.
    var biasHH: Tensor<Scalar> { get }

    /// The gate math of one step: the next state from the two projections (biases included) and
    /// the previous state. The step's output is the new state's `hidden`.
    func pointwiseForward(
        inputProjection: Tensor<Scalar>, hiddenProjection: Tensor<Scalar>, state: State
    ) -> (state: State, cache: PointwiseCache)

    /// The backward pass of ``pointwiseForward(inputProjection:hiddenProjection:state:)``: given
    /// ∂L/∂(new state) (its hidden part includes the output gradient), returns ∂L/∂zx, ∂L/∂zh and
    /// the part of ∂L/∂(previous state) that does not flow through zh.
    func pointwiseBackward(
        stateGradient: State, cache: PointwiseCache
    ) -> (inputProjectionGradient: Tensor<Scalar>, hiddenProjectionGradient: Tensor<Scalar>, stateGradient: State)
}

/// What one step of a ``GatedRecurrentCell`` saves for its backward pass.
public struct GatedStepCache<Scalar: TensorScalar, State, PointwiseCache> {
    let input: Tensor<Scalar>
    let previousHidden: Tensor<Scalar>
    let pointwise: PointwiseCache
}

extension GatedStepCache: Sendable where State: Sendable, PointwiseCache: Sendable {}

extension GatedRecurrentCell {
    /// `false`: the two projection gradients are summed separately.
    public static var sharesProjectionGradients: Bool { false }

    /// The parameter keys every gated cell uses, in visiting order.
    static var gatedParameterKeys: [ParameterKey] { ["weightIH", "weightHH", "biasIH", "biasHH"] }

    /// One step on the shared projections (the `Cell.step` of the built-in cells).
    func gatedStep(
        _ input: Tensor<Scalar>, state: State, operation: String
    ) -> (output: Tensor<Scalar>, state: State, cache: GatedStepCache<Scalar, State, PointwiseCache>) {
        precondition(
            input.rank == 2 && input.shape[1] == inputSize,
            "\(operation): input has shape \(input.shape), expected [batch, inputSize] = [batch, \(inputSize)]")
        checkStateShape(state.stateTensors, batchSize: input.shape[0], hiddenSize: hiddenSize, operation: operation)
        let inputProjection = input.matmul(weightIH, transposeB: true) + biasIH
        let hiddenProjection = state.hidden.matmul(weightHH, transposeB: true) + biasHH
        let (next, pointwise) = pointwiseForward(
            inputProjection: inputProjection, hiddenProjection: hiddenProjection, state: state)
        return (next.hidden, next, GatedStepCache(input: input, previousHidden: state.hidden, pointwise: pointwise))
    }

    /// The backward pass of ``gatedStep(_:state:operation:)`` (the `Cell.backwardStep` of the
    /// built-in cells).
    func gatedBackwardStep(
        outputGradient: Tensor<Scalar>, stateGradient: State, cache: GatedStepCache<Scalar, State, PointwiseCache>,
        gradients: inout ParameterSet<Scalar>, operation: String
    ) -> (inputGradient: Tensor<Scalar>, stateGradient: State) {
        let total = stateGradient.addingToHidden(outputGradient)
        let (inputProjectionGradient, hiddenProjectionGradient, direct) = pointwiseBackward(
            stateGradient: total, cache: cache.pointwise)
        gradients.accumulate("weightIH", operation: operation) {
            $0.addMatrixProduct(inputProjectionGradient, cache.input, transposeA: true)
        }
        gradients.accumulate("weightHH", operation: operation) {
            $0.addMatrixProduct(hiddenProjectionGradient, cache.previousHidden, transposeA: true)
        }
        gradients.accumulate("biasIH", operation: operation) { $0 += inputProjectionGradient.sum(alongAxis: 0) }
        gradients.accumulate("biasHH", operation: operation) { $0 += hiddenProjectionGradient.sum(alongAxis: 0) }
        let inputGradient = inputProjectionGradient.matmul(weightIH)
        let previous = direct.addingToHidden(hiddenProjectionGradient.matmul(weightHH))
        return (inputGradient, previous)
    }

    /// Checks the four parameter shapes against G, inputSize and hiddenSize.
    static func checkGatedShapes(
        weightIH: Tensor<Scalar>, weightHH: Tensor<Scalar>, biasIH: Tensor<Scalar>, biasHH: Tensor<Scalar>, operation: String
    ) {
        let rows = weightHH.rank == 2 ? weightHH.shape[0] : -1
        let hidden = rows / gateCount
        precondition(
            weightHH.rank == 2 && rows % gateCount == 0 && weightHH.shape[1] == hidden,
            "\(operation): weightHH has shape \(weightHH.shape), expected [\(gateCount)·hiddenSize, hiddenSize]")
        precondition(
            weightIH.rank == 2 && weightIH.shape[0] == rows,
            "\(operation): weightIH has shape \(weightIH.shape), expected [\(rows), inputSize] to match weightHH \(weightHH.shape)")
        precondition(
            biasIH.shape == [rows] && biasHH.shape == [rows],
            "\(operation): biasIH \(biasIH.shape) and biasHH \(biasHH.shape) must both be [\(rows)]")
    }
}

/// tanh′ expressed through tanh: 1 − t².
func tanhDerivative<Scalar: TensorScalar>(_ t: Tensor<Scalar>) -> Tensor<Scalar> { 1 - t.squared() }
