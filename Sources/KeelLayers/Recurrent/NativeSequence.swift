// The whole-sequence path of the built-in cells (RNN, LSTM, GRU): the time loop runs in one C call
// per direction (`keel_*_recurrent_stack_forward/backward` with one layer), writing every state and cache into
// tensors allocated once per sequence. The generic fused path (FusedSequence) makes a few tensor
// objects per step; on small shapes (configs A and D of peers.md) that traffic was about half of
// the step. The kernel also splits the batch over the worker pool, which the per-step path could
// not do without a barrier per step.

/// A sequence given as token indices into an embedding table: step t, batch row b reads row
/// `indices[t·B + b]` of `table` (`[vocabulary, inputSize]`).
struct TokenInput<Scalar: TensorScalar>: Sendable {
    /// Validated row indices, time-major, `T·B` of them.
    let indices: [Int]
    /// The embedding table E, `[vocabulary, inputSize]`.
    let table: Tensor<Scalar>
}

/// What the whole-sequence forward saves (time-major rows: row `t·B + b`).
struct NativeSequenceCache<Scalar: TensorScalar>: Sendable {
    let kind: Kernels.RecurrentCellKind
    /// The token input when the sequence was given as indices (then `stackedInputs` is `[h₋₁]`).
    let tokens: TokenInput<Scalar>?
    /// h₀, `[B, H]`.
    let initialHidden: Tensor<Scalar>
    /// h₁ … h_T, `[T, B, H]` (the outputs).
    let hiddens: Tensor<Scalar>
    /// `[h_{t−1} | x_t | 1]` per row, `[T·B, H + I + 1]`: the right operand of the weight gradient
    /// (`[h_{t−1}]`, `[T·B, H]`, for token input).
    let stackedInputs: Tensor<Scalar>
    /// LSTM: the gate activations [i, f, g, o]; GRU: [r, z, n]. `[T·B, G·H]`; nil for RNN.
    let gates: Tensor<Scalar>?
    /// GRU: h₋₁W_hhᵀ + b_hh, `[T·B, 3H]`.
    let hiddenProjections: Tensor<Scalar>?
    /// LSTM: c₀ … c_T, `[(T + 1)·B, H]`.
    let cells: Tensor<Scalar>?
    /// LSTM: tanh c₁ … tanh c_T, `[T·B, H]`.
    let cellTanh: Tensor<Scalar>?
}

/// The tensors of one whole-sequence forward run: kept alive (with the inputs the kernel reads)
/// from preparation until the run is finished.
private final class NativeForwardRun<Scalar: TensorScalar> {
    let inputs: Tensor<Scalar>?, projectedTable: Tensor<Scalar>?, initialHidden: Tensor<Scalar>
    let parameters: (Tensor<Scalar>, Tensor<Scalar>, Tensor<Scalar>, Tensor<Scalar>)
    var stackedInputs: Tensor<Scalar>, hiddens: Tensor<Scalar>
    var gates: Tensor<Scalar>?, hiddenProjections: Tensor<Scalar>?, cells: Tensor<Scalar>?, cellTanh: Tensor<Scalar>?
    /// A copy of the token indices the kernel reads (an array's storage has no lasting address).
    let indices: UnsafeMutableBufferPointer<Int>?

    init(
        inputs: Tensor<Scalar>?, projectedTable: Tensor<Scalar>?, initialHidden: Tensor<Scalar>,
        parameters: (Tensor<Scalar>, Tensor<Scalar>, Tensor<Scalar>, Tensor<Scalar>), stackedInputs: Tensor<Scalar>,
        hiddens: Tensor<Scalar>, gates: Tensor<Scalar>?, hiddenProjections: Tensor<Scalar>?, cells: Tensor<Scalar>?,
        cellTanh: Tensor<Scalar>?, indices: [Int]?
    ) {
        self.inputs = inputs
        self.projectedTable = projectedTable
        self.initialHidden = initialHidden
        self.parameters = parameters
        self.stackedInputs = stackedInputs
        self.hiddens = hiddens
        self.gates = gates
        self.hiddenProjections = hiddenProjections
        self.cells = cells
        self.cellTanh = cellTanh
        self.indices = indices.map { indices in
            let copy = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(1, indices.count))
            _ = copy.initialize(from: indices)
            return copy
        }
    }

    deinit { indices?.deallocate() }
}

/// The tensors of one whole-sequence backward run, alive until it is finished.
private final class NativeBackwardRun<Scalar: TensorScalar> {
    let native: NativeSequenceCache<Scalar>
    let weightHH: Tensor<Scalar>, weightIH: Tensor<Scalar>
    /// ∂L/∂yₜ: given (read), or written by the kernel from the layer above.
    var outputGradients: Tensor<Scalar>?
    var hiddenGradient: Tensor<Scalar>, cellGradient: Tensor<Scalar>?
    var projectionGradients: Tensor<Scalar>, hiddenProjectionGradients: Tensor<Scalar>?
    let squaredNorms: UnsafeMutableBufferPointer<Double>?

    init(
        native: NativeSequenceCache<Scalar>, weightHH: Tensor<Scalar>, weightIH: Tensor<Scalar>, outputGradients: Tensor<Scalar>?,
        hiddenGradient: Tensor<Scalar>, cellGradient: Tensor<Scalar>?, projectionGradients: Tensor<Scalar>,
        hiddenProjectionGradients: Tensor<Scalar>?, profileSteps: Int?
    ) {
        self.native = native
        self.weightHH = weightHH
        self.weightIH = weightIH
        self.outputGradients = outputGradients
        self.hiddenGradient = hiddenGradient
        self.cellGradient = cellGradient
        self.projectionGradients = projectionGradients
        self.hiddenProjectionGradients = hiddenProjectionGradients
        squaredNorms = profileSteps.map { steps in
            let norms = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, steps))
            norms.initialize(repeating: 0)
            return norms
        }
    }

    deinit { squaredNorms?.deallocate() }
}

enum NativeSequence {
    /// Forward over `input` (`[T, B, I]`), or over `tokens` (then `input` is nil); returns the
    /// outputs `[T, B, H]`, the final state and the cache.
    ///
    /// Token input never builds the `[T·B, I]` embedded sequence: the input projection of each
    /// token, P = E·W_ihᵀ + b (`[vocabulary, G·H]`), is one small GEMM, and each step starts from
    /// the rows of P its tokens pick. For a character model (vocabulary 65, I 64, H 512) that
    /// removes the I input columns from every step's GEMM and from the weight-gradient GEMM.
    static func forward<F: GatedRecurrentCell>(
        _ cell: F, kind: Kernels.RecurrentCellKind, input: Tensor<F.Scalar>?, tokens: TokenInput<F.Scalar>? = nil, timeSteps: Int, batchSize: Int,
        initialState: F.State
    ) -> (outputs: Tensor<F.Scalar>, finalState: F.State, cache: FusedSequenceCache<F>) {
        let stage = forwardStage(
            cell, kind: kind, input: input, tokens: tokens, timeSteps: timeSteps, batchSize: batchSize, initialState: initialState
        ).prepare()
        let ok = Kernels.recurrentStackForward([stage.buffers], steps: timeSteps, batch: batchSize)
        precondition(ok, "Recurrent.forward: out of memory for the recurrent kernel's workspace")
        return stage.finish()
    }

    /// The forward of ``forward(_:kind:input:tokens:timeSteps:batchSize:initialState:)`` described
    /// (prepared on demand); with neither `input` nor `tokens` the kernel writes the input from the
    /// layer below.
    static func forwardStage<F: GatedRecurrentCell>(
        _ cell: F, kind: Kernels.RecurrentCellKind, input: Tensor<F.Scalar>?, tokens: TokenInput<F.Scalar>?, timeSteps: Int,
        batchSize: Int, initialState: F.State
    ) -> SequenceKernelForward<F.Scalar, (outputs: Tensor<F.Scalar>, finalState: F.State, cache: FusedSequenceCache<F>)> {
        let hidden = cell.hiddenSize, inputSize = cell.inputSize
        precondition(
            kind.gateCount == F.gateCount,
            "Recurrent.forward: \(F.self) declares the \(kind) kernel (G = \(kind.gateCount)) but has G = \(F.gateCount)")
        let shape = Kernels.RecurrentLayerShape(kind: kind, input: inputSize, hidden: hidden, tokens: tokens != nil)
        return SequenceKernelForward(shape: shape) {
            prepareForward(
                cell, kind: kind, input: input, tokens: tokens, timeSteps: timeSteps, batchSize: batchSize, initialState: initialState)
        }
    }

    /// The buffers and arguments of ``forwardStage(_:kind:input:tokens:timeSteps:batchSize:initialState:)``.
    private static func prepareForward<F: GatedRecurrentCell>(
        _ cell: F, kind: Kernels.RecurrentCellKind, input: Tensor<F.Scalar>?, tokens: TokenInput<F.Scalar>?, timeSteps: Int,
        batchSize: Int, initialState: F.State
    ) -> SequenceKernelForward<F.Scalar, (outputs: Tensor<F.Scalar>, finalState: F.State, cache: FusedSequenceCache<F>)>.Prepared {
        typealias S = F.Scalar
        let hidden = cell.hiddenSize, inputSize = cell.inputSize
        let width = F.gateCount * hidden, rows = timeSteps * batchSize
        let isGRU = kind == .gru, isLSTM = kind == .lstm
        let flat = input?.reshaped(to: [rows, inputSize])
        // P = b + E·W_ihᵀ, with b = b_ih + b_hh where the cell adds both before its gates (RNN,
        // LSTM) and b_ih alone for GRU (b_hh sits inside r ⊙ (W_hn h + b_hn)).
        let projectedTable = tokens.map { tokens in
            let bias = isGRU ? cell.biasIH : cell.biasIH + cell.biasHH
            var table = Tensor<S>.zeros([tokens.table.shape[0], width]) + bias
            table.addMatrixProduct(tokens.table, cell.weightIH, transposeB: true, beta: 1)
            return table
        }
        var cells: Tensor<S>? = nil
        if isLSTM {
            guard let initialCell = initialState.memoryCell else {
                preconditionFailure("Recurrent.forward: \(F.self) declares the LSTM kernel but its state \(F.State.self) has no memory cell")
            }
            cells = Tensor<S>(shape: [rows + batchSize, hidden]) { buffer in
                initialCell.withUnsafeBufferPointer { c0 in
                    buffer.baseAddress!.initialize(from: c0.baseAddress!, count: batchSize * hidden)
                }
            }
        }
        let run = NativeForwardRun(
            inputs: flat, projectedTable: projectedTable, initialHidden: initialState.hidden,
            parameters: (cell.weightIH, cell.weightHH, cell.biasIH, cell.biasHH),
            stackedInputs: .uninitialized([rows, tokens == nil ? hidden + inputSize + 1 : hidden]),
            hiddens: .uninitialized([timeSteps, batchSize, hidden]), gates: isGRU || isLSTM ? .uninitialized([rows, width]) : nil,
            hiddenProjections: isGRU ? .uninitialized([rows, width]) : nil,
            cells: cells.take(), // the run's reference alone: writing through it must not copy
            cellTanh: isLSTM ? .uninitialized([rows, hidden]) : nil, indices: tokens?.indices)
        // The run owns every tensor the kernel reads or writes (fresh, uniquely referenced ones for
        // the writes), so these addresses stay valid until it is released with the stage.
        let buffers = Kernels.RecurrentLayerBuffers<S>(
            kind: kind, input: inputSize, hidden: hidden, inputs: run.inputs?.baseAddress, weightIH: run.parameters.0.baseAddress,
            weightHH: run.parameters.1.baseAddress, biasIH: run.parameters.2.baseAddress, biasHH: run.parameters.3.baseAddress,
            initialHidden: run.initialHidden.baseAddress, stackedInputs: run.stackedInputs.mutableBaseAddress(),
            gates: run.gates?.mutableBaseAddress(), hiddenProjections: run.hiddenProjections?.mutableBaseAddress(),
            hiddenStates: run.hiddens.mutableBaseAddress(), cellStates: run.cells?.mutableBaseAddress(),
            cellTanh: run.cellTanh?.mutableBaseAddress(), tokens: run.indices.map { UnsafePointer($0.baseAddress!) },
            table: run.projectedTable?.baseAddress)
        return .init(buffers: buffers) {
            let lastHidden = run.hiddens[timeSteps - 1]
            let finalState = assembledState(F.State.self, hidden: lastHidden, memoryCell: run.cells?.slice(rows..<(rows + batchSize)))
            let native = NativeSequenceCache(
                kind: kind, tokens: tokens, initialHidden: run.initialHidden, hiddens: run.hiddens, stackedInputs: run.stackedInputs,
                gates: run.gates, hiddenProjections: run.hiddenProjections, cells: run.cells, cellTanh: run.cellTanh)
            let cache = FusedSequenceCache<F>(
                input: flat, hiddenHistory: nil, pointwise: [], native: native, timeSteps: timeSteps, batchSize: batchSize)
            return (run.hiddens, finalState, cache)
        }
    }

    /// Backpropagates through the last `min(depth, T)` steps; see `FusedSequence.backward`. For a
    /// token-input cache the returned input gradient is ∂L/∂E, `[vocabulary, inputSize]` (computed
    /// whatever `computesInputGradient` says).
    static func backward<F: GatedRecurrentCell>(
        _ cell: F, native: NativeSequenceCache<F.Scalar>, outputGradients: Tensor<F.Scalar>?,
        finalStateGradient: F.State, cache: FusedSequenceCache<F>, gradients: inout ParameterSet<F.Scalar>,
        truncationDepth: Int, context: inout RecurrentBackwardContext<F.Scalar>
    ) -> (inputGradient: Tensor<F.Scalar>, initialStateGradient: F.State) {
        let stage = backwardStage(
            cell, native: native, outputGradients: outputGradients, gradientFromAbove: false, finalStateGradient: finalStateGradient,
            cache: cache, truncationDepth: truncationDepth, context: context
        ).prepare()
        let first = max(0, cache.timeSteps - truncationDepth)
        let ok = Kernels.recurrentStackBackward([stage.buffers], steps: cache.timeSteps, first: first, batch: cache.batchSize)
        precondition(ok, "Recurrent.backward: out of memory for the recurrent kernel's workspace")
        let (inputGradient, initialStateGradient) = stage.finish(&gradients, &context)
        return (inputGradient ?? .zeros([cache.timeSteps, cache.batchSize, cell.inputSize]), initialStateGradient)
    }

    /// The backward of ``backward(_:native:outputGradients:finalStateGradient:cache:gradients:truncationDepth:context:)``
    /// described (prepared on demand). With `gradientFromAbove` the kernel writes ∂L/∂yₜ from the layer above
    /// (`outputGradients` must be nil). Finishing returns ∂L/∂input only when `context` asks for it
    /// (∂L/∂E for token input, always).
    static func backwardStage<F: GatedRecurrentCell>(
        _ cell: F, native: NativeSequenceCache<F.Scalar>, outputGradients: Tensor<F.Scalar>?, gradientFromAbove: Bool,
        finalStateGradient: F.State, cache: FusedSequenceCache<F>, truncationDepth: Int, context: RecurrentBackwardContext<F.Scalar>
    ) -> SequenceKernelBackward<
        F.Scalar, RecurrentBackwardContext<F.Scalar>, (inputGradient: Tensor<F.Scalar>?, initialStateGradient: F.State)
    > {
        precondition(!gradientFromAbove || outputGradients == nil, "Recurrent.backward: an output gradient and one from the layer above")
        let shape = Kernels.RecurrentLayerShape(kind: native.kind, input: cell.inputSize, hidden: cell.hiddenSize, tokens: native.tokens != nil)
        return SequenceKernelBackward(shape: shape) {
            prepareBackward(
                cell, native: native, outputGradients: outputGradients, gradientFromAbove: gradientFromAbove,
                finalStateGradient: finalStateGradient, cache: cache, truncationDepth: truncationDepth, context: context)
        }
    }

    /// The buffers and arguments of ``backwardStage(_:native:outputGradients:gradientFromAbove:finalStateGradient:cache:truncationDepth:context:)``.
    private static func prepareBackward<F: GatedRecurrentCell>(
        _ cell: F, native: NativeSequenceCache<F.Scalar>, outputGradients: Tensor<F.Scalar>?, gradientFromAbove: Bool,
        finalStateGradient: F.State, cache: FusedSequenceCache<F>, truncationDepth: Int, context: RecurrentBackwardContext<F.Scalar>
    ) -> SequenceKernelBackward<
        F.Scalar, RecurrentBackwardContext<F.Scalar>, (inputGradient: Tensor<F.Scalar>?, initialStateGradient: F.State)
    >.Prepared {
        typealias S = F.Scalar
        let timeSteps = cache.timeSteps, batchSize = cache.batchSize, hidden = cell.hiddenSize, inputSize = cell.inputSize
        let width = F.gateCount * hidden, rows = timeSteps * batchSize, stride = native.stackedInputs.shape[1]
        let first = max(0, timeSteps - truncationDepth)
        let isGRU = native.kind == .gru
        // Rows of steps before `first` are never written from above; zeros keep them defined for gradient terms.
        var fromAbove: Tensor<S>? = gradientFromAbove
            ? (first > 0 ? .zeros([timeSteps, batchSize, hidden]) : .uninitialized([timeSteps, batchSize, hidden])) : nil
        // The carries start as copies of the final-state gradient (the kernel updates them in place).
        let run = NativeBackwardRun(
            native: native, weightHH: cell.weightHH, weightIH: cell.weightIH, outputGradients: outputGradients ?? fromAbove.take(),
            hiddenGradient: finalStateGradient.hidden + 0,
            cellGradient: native.kind.hasCellState ? finalStateGradient.memoryCell.map { $0 + 0 } : nil,
            projectionGradients: .uninitialized([rows, width]), hiddenProjectionGradients: isGRU ? .uninitialized([rows, width]) : nil,
            profileSteps: context.recordsGradientFlow ? timeSteps : nil)
        let outputGradientAddress: UnsafeMutablePointer<S>? = gradientFromAbove
            ? run.outputGradients!.mutableBaseAddress() : run.outputGradients.map { UnsafeMutablePointer(mutating: $0.baseAddress) }
        let buffers = Kernels.RecurrentLayerGradientBuffers<S>(
            kind: native.kind, input: inputSize, hidden: hidden, weightIH: run.weightIH.baseAddress,
            weightHH: run.weightHH.baseAddress, gates: native.gates?.baseAddress,
            hiddenProjections: native.hiddenProjections?.baseAddress, initialHidden: native.initialHidden.baseAddress,
            hiddenStates: native.hiddens.baseAddress, cellStates: native.cells?.baseAddress, cellTanh: native.cellTanh?.baseAddress,
            outputGradients: outputGradientAddress, hiddenGradient: run.hiddenGradient.mutableBaseAddress(),
            cellGradient: run.cellGradient?.mutableBaseAddress(), projectionGradients: run.projectionGradients.mutableBaseAddress(),
            hiddenProjectionGradients: run.hiddenProjectionGradients?.mutableBaseAddress(), profile: run.squaredNorms?.baseAddress)
        return .init(buffers: buffers) { gradients, context in
            context.gradientFlow = run.squaredNorms.map { $0.map { $0.squareRoot() } }
            let projectionGradients = run.projectionGradients, hiddenProjectionGradients = run.hiddenProjectionGradients

            // Σₜ over the processed steps (rows from `first` on) as GEMMs against the stacked
            // [h₋₁ | x | 1] rows: RNN and LSTM get [∂W_hh | ∂W_ih | ∂b] from one product.
            let rowOffset = first * batchSize, rowCount = rows - rowOffset
            let operation = "Recurrent.backward"
            var tableGradient: Tensor<S>? = nil
            let stacked = native.stackedInputs
            if let tokens = native.tokens {
                // dZ summed per token first (Σ over the rows reading token v): every input-side
                // gradient is linear in dZ and the same for all rows of one token, so
                // ∂W_ih = (Σ_v dZ_v)ᵀ·E and ∂E = (Σ_v dZ_v)·W_ih cost a vocabulary's rows, not T·B.
                let vocabulary = tokens.table.shape[0]
                let perToken = Embedding<S>.scatterAdd(
                    projectionGradients, rows: tokens.indices, vocabularySize: vocabulary, range: rowOffset..<rows)
                gradients.accumulate("weightIH", operation: operation) { $0.addMatrixProduct(perToken, tokens.table, transposeA: true) }
                let biasGradient = perToken.sum(alongAxis: 0)
                gradients.accumulate("biasIH", operation: operation) { $0 += biasGradient }
                let recurrentGradient = isGRU ? hiddenProjectionGradients! : projectionGradients
                let hiddenPart = transposedProduct(recurrentGradient, stacked, rowOffset: rowOffset, rowCount: rowCount, columns: 0..<hidden)
                gradients.accumulate("weightHH", operation: operation) { $0 += hiddenPart }
                let biasHHGradient = isGRU
                    ? (rowOffset == 0 ? recurrentGradient : recurrentGradient.slice(rowOffset..<rows)).sum(alongAxis: 0) : biasGradient
                gradients.accumulate("biasHH", operation: operation) { $0 += biasHHGradient }
                tableGradient = perToken.matmul(run.weightIH)
            } else if isGRU {
                let dZh = hiddenProjectionGradients!
                // [∂W_ih | ∂b_ih] from the input projection's gradient and the [x | 1] columns.
                let inputPart = transposedProduct(
                    projectionGradients, stacked, rowOffset: rowOffset, rowCount: rowCount, columns: hidden..<stride)
                gradients.accumulateColumns("weightIH", of: inputPart, 0..<inputSize, operation: operation)
                gradients.accumulateColumns("biasIH", of: inputPart, inputSize..<(inputSize + 1), operation: operation)
                let hiddenPart = transposedProduct(dZh, stacked, rowOffset: rowOffset, rowCount: rowCount, columns: 0..<hidden)
                gradients.accumulate("weightHH", operation: operation) { $0 += hiddenPart }
                let biasHHGradient = (rowOffset == 0 ? dZh : dZh.slice(rowOffset..<rows)).sum(alongAxis: 0)
                gradients.accumulate("biasHH", operation: operation) { $0 += biasHHGradient }
            } else {
                let all = transposedProduct(projectionGradients, stacked, rowOffset: rowOffset, rowCount: rowCount, columns: 0..<stride)
                gradients.accumulateColumns("weightIH", of: all, hidden..<(hidden + inputSize), operation: operation)
                gradients.accumulateColumns("weightHH", of: all, 0..<hidden, operation: operation)
                gradients.accumulateColumns("biasIH", of: all, (stride - 1)..<stride, operation: operation)
                gradients.accumulateColumns("biasHH", of: all, (stride - 1)..<stride, operation: operation)
            }

            if !context.gradientTerms.isEmpty {
                let pass = RecurrentBackwardPass(
                    kernel: native.kind,
                    preactivationGradients: rowOffset == 0 ? projectionGradients : projectionGradients.slice(rowOffset..<rows),
                    outputGradients: run.outputGradients, finalHiddenGradient: finalStateGradient.hidden, weightHH: run.weightHH)
                for term in context.gradientTerms { term.addGradient(for: pass, into: &gradients) }
            }

            let initialStateGradient = first > 0
                ? cell.zeroState(batchSize: batchSize)
                : assembledState(F.State.self, hidden: run.hiddenGradient, memoryCell: run.cellGradient)
            if let tableGradient { return (tableGradient, initialStateGradient) }
            guard context.computesInputGradient else { return (nil, initialStateGradient) }
            let dZx = rowOffset == 0 ? projectionGradients : projectionGradients.slice(rowOffset..<rows)
            var inputGradient = dZx.matmul(run.weightIH)
            if first > 0 {
                inputGradient = .concatenate([.zeros([first * batchSize, cell.inputSize]), inputGradient])
            }
            return (inputGradient.reshaped(to: [timeSteps, batchSize, cell.inputSize]), initialStateGradient)
        }
    }

    /// The kernel's state (or state gradient) as the cell's `State`.
    private static func assembledState<State: RecurrentHiddenState>(
        _: State.Type, hidden: Tensor<State.Scalar>, memoryCell: Tensor<State.Scalar>?
    ) -> State {
        guard let state = State.assembled(hidden: hidden, memoryCell: memoryCell) else {
            preconditionFailure(
                "Recurrent: \(State.self) cannot be assembled from a hidden\(memoryCell == nil ? "" : " and a memory cell") tensor "
                    + "(RecurrentHiddenState.assembled); a cell declaring a sequence kernel needs a state that can")
        }
        return state
    }

    /// dZ[rows]ᵀ · stacked[rows, columns] for the `rowCount` rows from `rowOffset`: one GEMM that
    /// reads both operands where they lie. Returns `[dZ.shape[1], columns.count]`.
    static func transposedProduct<S: TensorScalar>(
        _ dZ: Tensor<S>, _ stacked: Tensor<S>, rowOffset: Int, rowCount: Int, columns: Range<Int>
    ) -> Tensor<S> {
        let m = dZ.shape[1], n = columns.count, stride = stacked.shape[1]
        return Tensor<S>(shape: [m, n]) { result in
            guard rowCount > 0 else {
                result.initialize(repeating: 0)
                return
            }
            // dZ and stacked are parameters: alive for the call.
            Kernels.matrixMultiply(
                transposeA: true, transposeB: false, m: m, n: n, k: rowCount, alpha: 1,
                a: dZ.baseAddress + rowOffset * m, lda: m, b: stacked.baseAddress + rowOffset * stride + columns.lowerBound,
                ldb: stride, beta: 0, c: result.baseAddress!, ldc: n)
        }
    }
}
