import CKeelKernels

// The tensors passed to these functions are parameters, alive (borrowed from the caller) for the
// whole call, so the base addresses they hand out stay valid while the kernel runs.
//
// The recurrent C kernels' Swift face: `package` entry points that take tensors (pointwise gate
// math) or base addresses (whole-sequence kernels), and one scalar dispatch (`Kernels.Precision`)
// instead of a Float twin and a Double twin of every wrapper. Users never see raw pointers here;
// cells reach the kernels through `Cell.sequenceKernel`, a descriptor.

extension Kernels {
    /// Whole-sequence forward of a built-in cell; see `keel_s_recurrent_sequence_forward` in
    /// `CKeelKernels.h` for the buffers (`stackedInputs` is its `xh`, `[h₋₁ | x | 1]` per row;
    /// `[h₋₁]` with `tokens`). With `tokens` (`[steps·batch]` row indices into `table`), `inputs` is
    /// nil and `weightIH` is not read: the input projection of row r, biases included, is row
    /// `tokens[r]` of `table` (`[vocabulary, G·hidden]`). Returns false when the kernel could not
    /// allocate its scratch memory.
    package static func recurrentSequenceForward<S: TensorScalar>(
        _ kind: RecurrentCellKind, steps: Int, batch: Int, input: Int, hidden: Int, inputs: UnsafePointer<S>?,
        weightIH: UnsafePointer<S>, weightHH: UnsafePointer<S>, biasIH: UnsafePointer<S>, biasHH: UnsafePointer<S>,
        initialHidden: UnsafePointer<S>, stackedInputs: UnsafeMutablePointer<S>, gates: UnsafeMutablePointer<S>?,
        hiddenProjections: UnsafeMutablePointer<S>?, hiddenStates: UnsafeMutablePointer<S>,
        cellStates: UnsafeMutablePointer<S>?, cellTanh: UnsafeMutablePointer<S>?,
        tokens: UnsafePointer<Int>?, table: UnsafePointer<S>?
    ) -> Bool {
        switch Precision.of(S.self) {
        case .single:
            keel_s_recurrent_sequence_forward(
                kind.cValue, steps, batch, input, hidden, f32(inputs), f32(weightIH), f32(weightHH), f32(biasIH), f32(biasHH),
                f32(initialHidden), f32(stackedInputs), f32(gates), f32(hiddenProjections), f32(hiddenStates), f32(cellStates),
                f32(cellTanh), tokens, f32(table))
        case .double:
            keel_d_recurrent_sequence_forward(
                kind.cValue, steps, batch, input, hidden, f64(inputs), f64(weightIH), f64(weightHH), f64(biasIH), f64(biasHH),
                f64(initialHidden), f64(stackedInputs), f64(gates), f64(hiddenProjections), f64(hiddenStates), f64(cellStates),
                f64(cellTanh), tokens, f64(table))
        }
    }

    /// Whole-sequence backward through steps `first ..< steps`; see
    /// `keel_s_recurrent_sequence_backward` in `CKeelKernels.h`. `profile`, when given, receives
    /// ‖∂L/∂hₜ‖₂² per step.
    package static func recurrentSequenceBackward<S: TensorScalar>(
        _ kind: RecurrentCellKind, steps: Int, first: Int, batch: Int, hidden: Int, weightHH: UnsafePointer<S>,
        gates: UnsafePointer<S>?, hiddenProjections: UnsafePointer<S>?, initialHidden: UnsafePointer<S>,
        hiddenStates: UnsafePointer<S>, cellStates: UnsafePointer<S>?, cellTanh: UnsafePointer<S>?,
        outputGradients: UnsafePointer<S>?, hiddenGradient: UnsafeMutablePointer<S>, cellGradient: UnsafeMutablePointer<S>?,
        projectionGradients: UnsafeMutablePointer<S>, hiddenProjectionGradients: UnsafeMutablePointer<S>?,
        profile: UnsafeMutablePointer<Double>?
    ) -> Bool {
        switch Precision.of(S.self) {
        case .single:
            keel_s_recurrent_sequence_backward(
                kind.cValue, steps, first, batch, hidden, f32(weightHH), f32(gates), f32(hiddenProjections), f32(initialHidden),
                f32(hiddenStates), f32(cellStates), f32(cellTanh), f32(outputGradients), f32(hiddenGradient), f32(cellGradient),
                f32(projectionGradients), f32(hiddenProjectionGradients), profile)
        case .double:
            keel_d_recurrent_sequence_backward(
                kind.cValue, steps, first, batch, hidden, f64(weightHH), f64(gates), f64(hiddenProjections), f64(initialHidden),
                f64(hiddenStates), f64(cellStates), f64(cellTanh), f64(outputGradients), f64(hiddenGradient), f64(cellGradient),
                f64(projectionGradients), f64(hiddenProjectionGradients), profile)
        }
    }

    /// LSTM pointwise forward of one step (`[batch, 4·hidden]` projections, PyTorch's gate order
    /// i, f, g, o): gates = act(zx + zh), c = f·c₋₁ + i·g, tanhC = tanh c, h = o·tanhC. One kernel
    /// writes every element of the four results.
    package static func lstmPointwiseForward<S: TensorScalar>(
        inputProjection: Tensor<S>, hiddenProjection: Tensor<S>, previousCell: Tensor<S>
    ) -> (gates: Tensor<S>, cell: Tensor<S>, cellTanh: Tensor<S>, hidden: Tensor<S>) {
        let batch = previousCell.shape[0], hidden = previousCell.shape[1]
        var gates = Tensor<S>.uninitialized([batch, 4 * hidden])
        var cell = Tensor<S>.uninitialized([batch, hidden]), cellTanh = Tensor<S>.uninitialized([batch, hidden])
        var hiddenState = Tensor<S>.uninitialized([batch, hidden])
        let zx = inputProjection.baseAddress, zh = hiddenProjection.baseAddress, c0 = previousCell.baseAddress
        let g = gates.mutableBaseAddress(), c = cell.mutableBaseAddress()
        let t = cellTanh.mutableBaseAddress(), h = hiddenState.mutableBaseAddress()
        switch Precision.of(S.self) {
        case .single: keel_s_lstm_forward_pointwise(batch, hidden, f32(zx), f32(zh), f32(c0), f32(g), f32(c), f32(t), f32(h))
        case .double: keel_d_lstm_forward_pointwise(batch, hidden, f64(zx), f64(zh), f64(c0), f64(g), f64(c), f64(t), f64(h))
        }
        return (gates, cell, cellTanh, hiddenState)
    }

    /// LSTM pointwise backward of one step: the pre-activation gradient `[batch, 4·hidden]` and
    /// ∂L/∂c₋₁ from the step's gates, c₋₁, tanh c, ∂L/∂h and ∂L/∂c.
    package static func lstmPointwiseBackward<S: TensorScalar>(
        gates: Tensor<S>, previousCell: Tensor<S>, cellTanh: Tensor<S>, hiddenGradient: Tensor<S>, cellGradient: Tensor<S>
    ) -> (preActivationGradient: Tensor<S>, previousCellGradient: Tensor<S>) {
        let batch = previousCell.shape[0], hidden = previousCell.shape[1]
        var dz = Tensor<S>.uninitialized([batch, 4 * hidden]), dc0 = Tensor<S>.uninitialized([batch, hidden])
        let g = gates.baseAddress, c0 = previousCell.baseAddress, t = cellTanh.baseAddress
        let dh = hiddenGradient.baseAddress, dc = cellGradient.baseAddress
        let d = dz.mutableBaseAddress(), dp = dc0.mutableBaseAddress()
        switch Precision.of(S.self) {
        case .single: keel_s_lstm_backward_pointwise(batch, hidden, f32(g), f32(c0), f32(t), f32(dh), f32(dc), f32(d), f32(dp))
        case .double: keel_d_lstm_backward_pointwise(batch, hidden, f64(g), f64(c0), f64(t), f64(dh), f64(dc), f64(d), f64(dp))
        }
        return (dz, dc0)
    }

    /// GRU pointwise forward of one step (`[batch, 3·hidden]` projections, gates r, z, n; b_hh
    /// included in `hiddenProjection`): returns the gates and h = n + z·(h₋₁ − n).
    package static func gruPointwiseForward<S: TensorScalar>(
        inputProjection: Tensor<S>, hiddenProjection: Tensor<S>, previousHidden: Tensor<S>
    ) -> (gates: Tensor<S>, hidden: Tensor<S>) {
        let batch = previousHidden.shape[0], hidden = previousHidden.shape[1]
        var gates = Tensor<S>.uninitialized([batch, 3 * hidden]), hiddenState = Tensor<S>.uninitialized([batch, hidden])
        let zx = inputProjection.baseAddress, zh = hiddenProjection.baseAddress, h0 = previousHidden.baseAddress
        let g = gates.mutableBaseAddress(), h = hiddenState.mutableBaseAddress()
        switch Precision.of(S.self) {
        case .single: keel_s_gru_forward_pointwise(batch, hidden, f32(zx), f32(zh), f32(h0), f32(g), f32(h))
        case .double: keel_d_gru_forward_pointwise(batch, hidden, f64(zx), f64(zh), f64(h0), f64(g), f64(h))
        }
        return (gates, hiddenState)
    }

    /// GRU pointwise backward of one step: ∂L/∂zx, ∂L/∂zh `[batch, 3·hidden]` and the direct part
    /// of ∂L/∂h₋₁ (dh·z).
    package static func gruPointwiseBackward<S: TensorScalar>(
        gates: Tensor<S>, hiddenProjection: Tensor<S>, previousHidden: Tensor<S>, hiddenGradient: Tensor<S>
    ) -> (inputProjectionGradient: Tensor<S>, hiddenProjectionGradient: Tensor<S>, previousHiddenGradient: Tensor<S>) {
        let batch = previousHidden.shape[0], hidden = previousHidden.shape[1]
        var dx = Tensor<S>.uninitialized([batch, 3 * hidden]), dy = Tensor<S>.uninitialized([batch, 3 * hidden])
        var direct = Tensor<S>.uninitialized([batch, hidden])
        let g = gates.baseAddress, zh = hiddenProjection.baseAddress, h0 = previousHidden.baseAddress
        let dh = hiddenGradient.baseAddress
        let a = dx.mutableBaseAddress(), b = dy.mutableBaseAddress(), p = direct.mutableBaseAddress()
        switch Precision.of(S.self) {
        case .single: keel_s_gru_backward_pointwise(batch, hidden, f32(g), f32(zh), f32(h0), f32(dh), f32(a), f32(b), f32(p))
        case .double: keel_d_gru_backward_pointwise(batch, hidden, f64(g), f64(zh), f64(h0), f64(dh), f64(a), f64(b), f64(p))
        }
        return (dx, dy, direct)
    }
}
