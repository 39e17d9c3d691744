import CKeelKernels

// The tensors passed to these functions are parameters, alive (borrowed from the caller) for the
// whole call, so the base addresses they hand out stay valid while the kernel runs.
//
// The recurrent C kernels' Swift face: `package` entry points that take tensors (pointwise gate
// math) or base addresses (whole-sequence kernels), and one scalar dispatch (`Kernels.Precision`)
// instead of a Float twin and a Double twin of every wrapper. Users never see raw pointers here;
// cells reach the kernels through `Cell.sequenceKernel`, a descriptor.

extension Kernels {
    /// One layer of a whole-sequence kernel call: the arguments of `keel_s_recurrent_layer` in
    /// `CKeelKernels.h` (`stackedInputs` is its `xh`, `[h₋₁ | x | 1]` per row; `[h₋₁]` with
    /// `tokens`). With `tokens` (`[steps·batch]` row indices into `table`), `inputs` is nil and
    /// `weightIH` is not read: the input projection of row r, biases included, is row `tokens[r]`
    /// of `table` (`[vocabulary, G·hidden]`). Above the first layer of a stack `inputs` and
    /// `tokens` are nil: the kernel writes the layer below's `hiddenStates · mask` as the input.
    package struct RecurrentLayerBuffers<S: TensorScalar> {
        package var kind: RecurrentCellKind
        package var input: Int
        package var hidden: Int
        package var inputs: UnsafePointer<S>?
        package var weightIH: UnsafePointer<S>
        package var weightHH: UnsafePointer<S>
        package var biasIH: UnsafePointer<S>
        package var biasHH: UnsafePointer<S>
        package var initialHidden: UnsafePointer<S>
        package var stackedInputs: UnsafeMutablePointer<S>
        package var gates: UnsafeMutablePointer<S>?
        package var hiddenProjections: UnsafeMutablePointer<S>?
        package var hiddenStates: UnsafeMutablePointer<S>
        package var cellStates: UnsafeMutablePointer<S>?
        package var cellTanh: UnsafeMutablePointer<S>?
        package var tokens: UnsafePointer<Int>?
        package var table: UnsafePointer<S>?
        /// `[steps, batch, hidden]`: the dropout mask on this layer's outputs as the layer above
        /// reads them (nil: none; not read on the top layer).
        package var mask: UnsafePointer<S>?

        package init(
            kind: RecurrentCellKind, input: Int, hidden: Int, inputs: UnsafePointer<S>?, weightIH: UnsafePointer<S>,
            weightHH: UnsafePointer<S>, biasIH: UnsafePointer<S>, biasHH: UnsafePointer<S>, initialHidden: UnsafePointer<S>,
            stackedInputs: UnsafeMutablePointer<S>, gates: UnsafeMutablePointer<S>?, hiddenProjections: UnsafeMutablePointer<S>?,
            hiddenStates: UnsafeMutablePointer<S>, cellStates: UnsafeMutablePointer<S>?, cellTanh: UnsafeMutablePointer<S>?,
            tokens: UnsafePointer<Int>?, table: UnsafePointer<S>?
        ) {
            self.kind = kind
            self.input = input
            self.hidden = hidden
            self.inputs = inputs
            self.weightIH = weightIH
            self.weightHH = weightHH
            self.biasIH = biasIH
            self.biasHH = biasHH
            self.initialHidden = initialHidden
            self.stackedInputs = stackedInputs
            self.gates = gates
            self.hiddenProjections = hiddenProjections
            self.hiddenStates = hiddenStates
            self.cellStates = cellStates
            self.cellTanh = cellTanh
            self.tokens = tokens
            self.table = table
        }
    }

    /// The backward arguments of one layer: `keel_s_recurrent_layer_gradients` in `CKeelKernels.h`.
    /// `outputGradients` is read on the top layer of a stack (nil: none) and written below it
    /// (∂L/∂hₜ from the layer above, for the steps from `first`); `hiddenGradient` (and
    /// `cellGradient`) hold ∂L/∂(final state) on entry and ∂L/∂(state at `first`) on return.
    package struct RecurrentLayerGradientBuffers<S: TensorScalar> {
        package var kind: RecurrentCellKind
        package var input: Int
        package var hidden: Int
        package var weightIH: UnsafePointer<S>
        package var weightHH: UnsafePointer<S>
        package var gates: UnsafePointer<S>?
        package var hiddenProjections: UnsafePointer<S>?
        package var initialHidden: UnsafePointer<S>
        package var hiddenStates: UnsafePointer<S>
        package var cellStates: UnsafePointer<S>?
        package var cellTanh: UnsafePointer<S>?
        /// As ``RecurrentLayerBuffers/mask``.
        package var mask: UnsafePointer<S>?
        package var outputGradients: UnsafeMutablePointer<S>?
        package var hiddenGradient: UnsafeMutablePointer<S>
        package var cellGradient: UnsafeMutablePointer<S>?
        package var projectionGradients: UnsafeMutablePointer<S>
        package var hiddenProjectionGradients: UnsafeMutablePointer<S>?
        /// `[steps]`, or nil: receives ‖∂L/∂hₜ‖₂² per step.
        package var profile: UnsafeMutablePointer<Double>?

        package init(
            kind: RecurrentCellKind, input: Int, hidden: Int, weightIH: UnsafePointer<S>, weightHH: UnsafePointer<S>,
            gates: UnsafePointer<S>?, hiddenProjections: UnsafePointer<S>?, initialHidden: UnsafePointer<S>,
            hiddenStates: UnsafePointer<S>, cellStates: UnsafePointer<S>?, cellTanh: UnsafePointer<S>?,
            outputGradients: UnsafeMutablePointer<S>?, hiddenGradient: UnsafeMutablePointer<S>,
            cellGradient: UnsafeMutablePointer<S>?, projectionGradients: UnsafeMutablePointer<S>,
            hiddenProjectionGradients: UnsafeMutablePointer<S>?, profile: UnsafeMutablePointer<Double>?
        ) {
            self.kind = kind
            self.input = input
            self.hidden = hidden
            self.weightIH = weightIH
            self.weightHH = weightHH
            self.gates = gates
            self.hiddenProjections = hiddenProjections
            self.initialHidden = initialHidden
            self.hiddenStates = hiddenStates
            self.cellStates = cellStates
            self.cellTanh = cellTanh
            self.outputGradients = outputGradients
            self.hiddenGradient = hiddenGradient
            self.cellGradient = cellGradient
            self.projectionGradients = projectionGradients
            self.hiddenProjectionGradients = hiddenProjectionGradients
            self.profile = profile
        }
    }

    /// How a stack of layers runs: as one wavefront kernel call, or as single-layer calls one after
    /// another (what ``recurrentStackPrefersWavefront(_:layers:batch:steps:first:backward:profile:)`` answers).
    package enum RecurrentStackSchedule: Int32, Sendable {
        /// The kernels' cost model chooses per call.
        case automatic = 0
        /// One phase loop over all layers' tiles: phase p runs step p − l of layer l.
        case wavefront = 1
        /// The layers one after another, each on all threads.
        case layerByLayer = 2
    }

    /// The schedule of multi-layer kernel calls, process-wide (`KEEL_STACK_SCHEDULE` =
    /// `wavefront` or `layers` sets it at start). Results never depend on it: it exists for tests
    /// and for measuring both on a large machine.
    package static var recurrentStackSchedule: RecurrentStackSchedule {
        get { RecurrentStackSchedule(rawValue: keel_recurrent_stack_schedule()) ?? .automatic }
        set { keel_set_recurrent_stack_schedule(newValue.rawValue) }
    }

    /// What the schedule of a stack depends on, per layer: the cell's kernel, its sizes, and
    /// whether it reads token rows (the first layer only).
    package struct RecurrentLayerShape: Sendable, Equatable {
        package var kind: RecurrentCellKind
        package var input: Int
        package var hidden: Int
        package var tokens: Bool

        package init(kind: RecurrentCellKind, input: Int, hidden: Int, tokens: Bool) {
            self.kind = kind
            self.input = input
            self.hidden = hidden
            self.tokens = tokens
        }
    }

    /// Whether running `layers` as one wavefront is modelled faster on the current thread count
    /// than single-layer calls one after another (`keel_s_recurrent_stack_prefers_wavefront`); both
    /// give the same bits, and the single-layer calls hold one layer's buffers at a time.
    package static func recurrentStackPrefersWavefront<S: TensorScalar>(
        _: S.Type, layers: [RecurrentLayerShape], batch: Int, steps: Int, first: Int = 0, backward: Bool, profile: Bool = false
    ) -> Bool {
        guard layers.count > 1, layers.count <= recurrentStackMaxLayers else { return false }
        let kinds = layers.map { $0.kind.cValue }, inputs = layers.map(\.input), hiddens = layers.map(\.hidden)
        let tokens = layers[0].tokens
        switch Precision.of(S.self) {
        case .single:
            return keel_s_recurrent_stack_prefers_wavefront(
                Int32(layers.count), kinds, inputs, hiddens, tokens, batch, steps, first, backward, profile)
        case .double:
            return keel_d_recurrent_stack_prefers_wavefront(
                Int32(layers.count), kinds, inputs, hiddens, tokens, batch, steps, first, backward, profile)
        }
    }

    /// The most layers ``recurrentStackForward(_:steps:batch:)`` runs as one wavefront.
    package static let recurrentStackMaxLayers = 8

    /// Whole-sequence forward of a stack of built-in layers (one layer: a single sequence), as one
    /// wavefront: phase p runs step p − l of every layer l, one barrier per phase for all layers.
    /// See `keel_s_recurrent_stack_forward`. Returns false when the kernel could not allocate its
    /// scratch memory.
    package static func recurrentStackForward<S: TensorScalar>(_ layers: [RecurrentLayerBuffers<S>], steps: Int, batch: Int) -> Bool {
        switch Precision.of(S.self) {
        case .single:
            let c = layers.map { l in
                keel_s_recurrent_layer(
                    kind: l.kind.cValue, input: l.input, hidden: l.hidden, x: f32(l.inputs), w_ih: f32(l.weightIH),
                    w_hh: f32(l.weightHH), b_ih: f32(l.biasIH), b_hh: f32(l.biasHH), h0: f32(l.initialHidden),
                    xh: f32(l.stackedInputs), gates: f32(l.gates), zh: f32(l.hiddenProjections), h: f32(l.hiddenStates),
                    c: f32(l.cellStates), tanh_c: f32(l.cellTanh), tokens: l.tokens, table: f32(l.table), mask: f32(l.mask))
            }
            return keel_s_recurrent_stack_forward(Int32(c.count), steps, batch, c)
        case .double:
            let c = layers.map { l in
                keel_d_recurrent_layer(
                    kind: l.kind.cValue, input: l.input, hidden: l.hidden, x: f64(l.inputs), w_ih: f64(l.weightIH),
                    w_hh: f64(l.weightHH), b_ih: f64(l.biasIH), b_hh: f64(l.biasHH), h0: f64(l.initialHidden),
                    xh: f64(l.stackedInputs), gates: f64(l.gates), zh: f64(l.hiddenProjections), h: f64(l.hiddenStates),
                    c: f64(l.cellStates), tanh_c: f64(l.cellTanh), tokens: l.tokens, table: f64(l.table), mask: f64(l.mask))
            }
            return keel_d_recurrent_stack_forward(Int32(c.count), steps, batch, c)
        }
    }

    /// Whole-sequence backward of a stack through steps `first ..< steps` of every layer, the
    /// wavefront's mirror image; see `keel_s_recurrent_stack_backward`.
    package static func recurrentStackBackward<S: TensorScalar>(
        _ layers: [RecurrentLayerGradientBuffers<S>], steps: Int, first: Int, batch: Int
    ) -> Bool {
        switch Precision.of(S.self) {
        case .single:
            let c = layers.map { l in
                keel_s_recurrent_layer_gradients(
                    kind: l.kind.cValue, input: l.input, hidden: l.hidden, w_ih: f32(l.weightIH), w_hh: f32(l.weightHH),
                    gates: f32(l.gates), zh: f32(l.hiddenProjections), h0: f32(l.initialHidden), h: f32(l.hiddenStates),
                    c: f32(l.cellStates), tanh_c: f32(l.cellTanh), mask: f32(l.mask), dy: f32(l.outputGradients),
                    dh: f32(l.hiddenGradient), dc: f32(l.cellGradient), dz: f32(l.projectionGradients),
                    dzh: f32(l.hiddenProjectionGradients), profile: l.profile)
            }
            return keel_s_recurrent_stack_backward(Int32(c.count), steps, first, batch, c)
        case .double:
            let c = layers.map { l in
                keel_d_recurrent_layer_gradients(
                    kind: l.kind.cValue, input: l.input, hidden: l.hidden, w_ih: f64(l.weightIH), w_hh: f64(l.weightHH),
                    gates: f64(l.gates), zh: f64(l.hiddenProjections), h0: f64(l.initialHidden), h: f64(l.hiddenStates),
                    c: f64(l.cellStates), tanh_c: f64(l.cellTanh), mask: f64(l.mask), dy: f64(l.outputGradients),
                    dh: f64(l.hiddenGradient), dc: f64(l.cellGradient), dz: f64(l.projectionGradients),
                    dzh: f64(l.hiddenProjectionGradients), profile: l.profile)
            }
            return keel_d_recurrent_stack_backward(Int32(c.count), steps, first, batch, c)
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
