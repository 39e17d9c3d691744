import CKeelKernels

/// Fused pointwise gate kernels of the built-in recurrent cells: one call per time step for all the
/// elementwise work between the GEMMs. Shapes are row-major `[batch, G·hidden]` gate blocks in
/// PyTorch's order (LSTM i, f, g, o; GRU r, z, n); see `CKeelKernels.h` for the equations.
///
/// `TensorScalar` refines this protocol, so every tensor scalar has them: `Float` and `Double`
/// implement them with C kernels, and `LSTMCell`/`GRUCell` call them for any scalar.
public protocol RecurrentKernelScalar {
    /// LSTM forward: gates = act(zx + zh), c = f·c₋₁ + i·g, tanhC = tanh c, h = o·tanhC.
    static func kernelLSTMForward(
        batch: Int, hidden: Int, inputProjection: UnsafePointer<Self>, hiddenProjection: UnsafePointer<Self>,
        previousCell: UnsafePointer<Self>, gates: UnsafeMutablePointer<Self>, cell: UnsafeMutablePointer<Self>,
        cellTanh: UnsafeMutablePointer<Self>, hiddenState: UnsafeMutablePointer<Self>)

    /// LSTM backward: the pre-activation gradient `[batch, 4·hidden]` and ∂L/∂c₋₁.
    static func kernelLSTMBackward(
        batch: Int, hidden: Int, gates: UnsafePointer<Self>, previousCell: UnsafePointer<Self>,
        cellTanh: UnsafePointer<Self>, hiddenGradient: UnsafePointer<Self>, cellGradient: UnsafePointer<Self>,
        preActivationGradient: UnsafeMutablePointer<Self>, previousCellGradient: UnsafeMutablePointer<Self>)

    /// GRU forward: gates = [r, z, n], h = n + z·(h₋₁ − n).
    static func kernelGRUForward(
        batch: Int, hidden: Int, inputProjection: UnsafePointer<Self>, hiddenProjection: UnsafePointer<Self>,
        previousHidden: UnsafePointer<Self>, gates: UnsafeMutablePointer<Self>, hiddenState: UnsafeMutablePointer<Self>)

    /// GRU backward: ∂L/∂zx, ∂L/∂zh `[batch, 3·hidden]` and the direct part of ∂L/∂h₋₁ (dh·z).
    static func kernelGRUBackward(
        batch: Int, hidden: Int, gates: UnsafePointer<Self>, hiddenProjection: UnsafePointer<Self>,
        previousHidden: UnsafePointer<Self>, hiddenGradient: UnsafePointer<Self>,
        inputProjectionGradient: UnsafeMutablePointer<Self>, hiddenProjectionGradient: UnsafeMutablePointer<Self>,
        previousHiddenGradient: UnsafeMutablePointer<Self>)

    /// Whole-sequence forward of a built-in cell (`kind`: `KEEL_CELL_*`); see
    /// `keel_s_recurrent_sequence_forward` in `CKeelKernels.h` for the buffers (`stackedInputs` is
    /// its `xh`, `[h₋₁ | x | 1]` per row; `[h₋₁]` with `tokens`). With `tokens` (`[steps·batch]`
    /// row indices into `table`), `inputs` is nil and `weightIH` is not read: the input projection of
    /// row r, biases included, is row `tokens[r]` of `table` (`[vocabulary, G·hidden]`). Returns
    /// false when the kernel could not allocate its scratch memory.
    static func kernelRecurrentSequenceForward(
        kind: Int32, steps: Int, batch: Int, input: Int, hidden: Int, inputs: UnsafePointer<Self>?,
        weightIH: UnsafePointer<Self>, weightHH: UnsafePointer<Self>, biasIH: UnsafePointer<Self>, biasHH: UnsafePointer<Self>,
        initialHidden: UnsafePointer<Self>, stackedInputs: UnsafeMutablePointer<Self>, gates: UnsafeMutablePointer<Self>?,
        hiddenProjections: UnsafeMutablePointer<Self>?, hiddenStates: UnsafeMutablePointer<Self>,
        cellStates: UnsafeMutablePointer<Self>?, cellTanh: UnsafeMutablePointer<Self>?,
        tokens: UnsafePointer<Int>?, table: UnsafePointer<Self>?) -> Bool

    /// Whole-sequence backward through steps `first ..< steps`; see
    /// `keel_s_recurrent_sequence_backward` in `CKeelKernels.h`.
    static func kernelRecurrentSequenceBackward(
        kind: Int32, steps: Int, first: Int, batch: Int, hidden: Int, weightHH: UnsafePointer<Self>,
        gates: UnsafePointer<Self>?, hiddenProjections: UnsafePointer<Self>?, initialHidden: UnsafePointer<Self>,
        hiddenStates: UnsafePointer<Self>,
        cellStates: UnsafePointer<Self>?, cellTanh: UnsafePointer<Self>?, outputGradients: UnsafePointer<Self>?,
        hiddenGradient: UnsafeMutablePointer<Self>, cellGradient: UnsafeMutablePointer<Self>?,
        projectionGradients: UnsafeMutablePointer<Self>, hiddenProjectionGradients: UnsafeMutablePointer<Self>?,
        profile: UnsafeMutablePointer<Double>?) -> Bool
}


extension Float: RecurrentKernelScalar {
    public static func kernelRecurrentSequenceForward(
        kind: Int32, steps: Int, batch: Int, input: Int, hidden: Int, inputs: UnsafePointer<Float>?,
        weightIH: UnsafePointer<Float>, weightHH: UnsafePointer<Float>, biasIH: UnsafePointer<Float>, biasHH: UnsafePointer<Float>,
        initialHidden: UnsafePointer<Float>, stackedInputs: UnsafeMutablePointer<Float>, gates: UnsafeMutablePointer<Float>?,
        hiddenProjections: UnsafeMutablePointer<Float>?, hiddenStates: UnsafeMutablePointer<Float>,
        cellStates: UnsafeMutablePointer<Float>?, cellTanh: UnsafeMutablePointer<Float>?,
        tokens: UnsafePointer<Int>?, table: UnsafePointer<Float>?
    ) -> Bool {
        keel_s_recurrent_sequence_forward(
            kind, steps, batch, input, hidden, inputs, weightIH, weightHH, biasIH, biasHH, initialHidden, stackedInputs,
            gates, hiddenProjections, hiddenStates, cellStates, cellTanh, tokens, table)
    }

    public static func kernelRecurrentSequenceBackward(
        kind: Int32, steps: Int, first: Int, batch: Int, hidden: Int, weightHH: UnsafePointer<Float>,
        gates: UnsafePointer<Float>?, hiddenProjections: UnsafePointer<Float>?, initialHidden: UnsafePointer<Float>,
        hiddenStates: UnsafePointer<Float>,
        cellStates: UnsafePointer<Float>?, cellTanh: UnsafePointer<Float>?, outputGradients: UnsafePointer<Float>?,
        hiddenGradient: UnsafeMutablePointer<Float>, cellGradient: UnsafeMutablePointer<Float>?,
        projectionGradients: UnsafeMutablePointer<Float>, hiddenProjectionGradients: UnsafeMutablePointer<Float>?,
        profile: UnsafeMutablePointer<Double>?
    ) -> Bool {
        keel_s_recurrent_sequence_backward(
            kind, steps, first, batch, hidden, weightHH, gates, hiddenProjections, initialHidden, hiddenStates, cellStates, cellTanh,
            outputGradients, hiddenGradient, cellGradient, projectionGradients, hiddenProjectionGradients, profile)
    }

    public static func kernelLSTMForward(
        batch: Int, hidden: Int, inputProjection: UnsafePointer<Float>, hiddenProjection: UnsafePointer<Float>,
        previousCell: UnsafePointer<Float>, gates: UnsafeMutablePointer<Float>, cell: UnsafeMutablePointer<Float>,
        cellTanh: UnsafeMutablePointer<Float>, hiddenState: UnsafeMutablePointer<Float>
    ) {
        keel_s_lstm_forward_pointwise(batch, hidden, inputProjection, hiddenProjection, previousCell, gates, cell, cellTanh, hiddenState)
    }

    public static func kernelLSTMBackward(
        batch: Int, hidden: Int, gates: UnsafePointer<Float>, previousCell: UnsafePointer<Float>,
        cellTanh: UnsafePointer<Float>, hiddenGradient: UnsafePointer<Float>, cellGradient: UnsafePointer<Float>,
        preActivationGradient: UnsafeMutablePointer<Float>, previousCellGradient: UnsafeMutablePointer<Float>
    ) {
        keel_s_lstm_backward_pointwise(
            batch, hidden, gates, previousCell, cellTanh, hiddenGradient, cellGradient, preActivationGradient, previousCellGradient)
    }

    public static func kernelGRUForward(
        batch: Int, hidden: Int, inputProjection: UnsafePointer<Float>, hiddenProjection: UnsafePointer<Float>,
        previousHidden: UnsafePointer<Float>, gates: UnsafeMutablePointer<Float>, hiddenState: UnsafeMutablePointer<Float>
    ) {
        keel_s_gru_forward_pointwise(batch, hidden, inputProjection, hiddenProjection, previousHidden, gates, hiddenState)
    }

    public static func kernelGRUBackward(
        batch: Int, hidden: Int, gates: UnsafePointer<Float>, hiddenProjection: UnsafePointer<Float>,
        previousHidden: UnsafePointer<Float>, hiddenGradient: UnsafePointer<Float>,
        inputProjectionGradient: UnsafeMutablePointer<Float>, hiddenProjectionGradient: UnsafeMutablePointer<Float>,
        previousHiddenGradient: UnsafeMutablePointer<Float>
    ) {
        keel_s_gru_backward_pointwise(
            batch, hidden, gates, hiddenProjection, previousHidden, hiddenGradient, inputProjectionGradient,
            hiddenProjectionGradient, previousHiddenGradient)
    }
}

extension Double: RecurrentKernelScalar {
    public static func kernelRecurrentSequenceForward(
        kind: Int32, steps: Int, batch: Int, input: Int, hidden: Int, inputs: UnsafePointer<Double>?,
        weightIH: UnsafePointer<Double>, weightHH: UnsafePointer<Double>, biasIH: UnsafePointer<Double>, biasHH: UnsafePointer<Double>,
        initialHidden: UnsafePointer<Double>, stackedInputs: UnsafeMutablePointer<Double>, gates: UnsafeMutablePointer<Double>?,
        hiddenProjections: UnsafeMutablePointer<Double>?, hiddenStates: UnsafeMutablePointer<Double>,
        cellStates: UnsafeMutablePointer<Double>?, cellTanh: UnsafeMutablePointer<Double>?,
        tokens: UnsafePointer<Int>?, table: UnsafePointer<Double>?
    ) -> Bool {
        keel_d_recurrent_sequence_forward(
            kind, steps, batch, input, hidden, inputs, weightIH, weightHH, biasIH, biasHH, initialHidden, stackedInputs,
            gates, hiddenProjections, hiddenStates, cellStates, cellTanh, tokens, table)
    }

    public static func kernelRecurrentSequenceBackward(
        kind: Int32, steps: Int, first: Int, batch: Int, hidden: Int, weightHH: UnsafePointer<Double>,
        gates: UnsafePointer<Double>?, hiddenProjections: UnsafePointer<Double>?, initialHidden: UnsafePointer<Double>,
        hiddenStates: UnsafePointer<Double>,
        cellStates: UnsafePointer<Double>?, cellTanh: UnsafePointer<Double>?, outputGradients: UnsafePointer<Double>?,
        hiddenGradient: UnsafeMutablePointer<Double>, cellGradient: UnsafeMutablePointer<Double>?,
        projectionGradients: UnsafeMutablePointer<Double>, hiddenProjectionGradients: UnsafeMutablePointer<Double>?,
        profile: UnsafeMutablePointer<Double>?
    ) -> Bool {
        keel_d_recurrent_sequence_backward(
            kind, steps, first, batch, hidden, weightHH, gates, hiddenProjections, initialHidden, hiddenStates, cellStates, cellTanh,
            outputGradients, hiddenGradient, cellGradient, projectionGradients, hiddenProjectionGradients, profile)
    }

    public static func kernelLSTMForward(
        batch: Int, hidden: Int, inputProjection: UnsafePointer<Double>, hiddenProjection: UnsafePointer<Double>,
        previousCell: UnsafePointer<Double>, gates: UnsafeMutablePointer<Double>, cell: UnsafeMutablePointer<Double>,
        cellTanh: UnsafeMutablePointer<Double>, hiddenState: UnsafeMutablePointer<Double>
    ) {
        keel_d_lstm_forward_pointwise(batch, hidden, inputProjection, hiddenProjection, previousCell, gates, cell, cellTanh, hiddenState)
    }

    public static func kernelLSTMBackward(
        batch: Int, hidden: Int, gates: UnsafePointer<Double>, previousCell: UnsafePointer<Double>,
        cellTanh: UnsafePointer<Double>, hiddenGradient: UnsafePointer<Double>, cellGradient: UnsafePointer<Double>,
        preActivationGradient: UnsafeMutablePointer<Double>, previousCellGradient: UnsafeMutablePointer<Double>
    ) {
        keel_d_lstm_backward_pointwise(
            batch, hidden, gates, previousCell, cellTanh, hiddenGradient, cellGradient, preActivationGradient, previousCellGradient)
    }

    public static func kernelGRUForward(
        batch: Int, hidden: Int, inputProjection: UnsafePointer<Double>, hiddenProjection: UnsafePointer<Double>,
        previousHidden: UnsafePointer<Double>, gates: UnsafeMutablePointer<Double>, hiddenState: UnsafeMutablePointer<Double>
    ) {
        keel_d_gru_forward_pointwise(batch, hidden, inputProjection, hiddenProjection, previousHidden, gates, hiddenState)
    }

    public static func kernelGRUBackward(
        batch: Int, hidden: Int, gates: UnsafePointer<Double>, hiddenProjection: UnsafePointer<Double>,
        previousHidden: UnsafePointer<Double>, hiddenGradient: UnsafePointer<Double>,
        inputProjectionGradient: UnsafeMutablePointer<Double>, hiddenProjectionGradient: UnsafeMutablePointer<Double>,
        previousHiddenGradient: UnsafeMutablePointer<Double>
    ) {
        keel_d_gru_backward_pointwise(
            batch, hidden, gates, hiddenProjection, previousHidden, hiddenGradient, inputProjectionGradient,
            hiddenProjectionGradient, previousHiddenGradient)
    }
}
