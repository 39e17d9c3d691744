// The fused whole-sequence forward and backward of a GatedRecurrentCell: the input projection of
// every step in one GEMM before the loop, one recurrent GEMM per step for all gates, and the
// weight and input gradients as one GEMM each over all steps after the loop.

/// What the fused whole-sequence engine of a ``GatedRecurrentCell`` saves for its backward pass:
/// the cell's `Cell.SequenceCache`. Opaque: only the engine reads it.
public struct FusedSequenceCache<F: GatedRecurrentCell>: Sendable {
    /// The input, `[T·batch, inputSize]` (nil for token input, which the native cache holds).
    let input: Tensor<F.Scalar>?
    /// h₀, h₁, …, h_T stacked, `[(T + 1)·batch, hiddenSize]` (generic path; nil on the native one).
    let hiddenHistory: Tensor<F.Scalar>?
    /// The pointwise caches of steps 0..<T (generic path).
    let pointwise: [F.PointwiseCache]
    /// What the whole-sequence kernel of a built-in cell saved (native path).
    let native: NativeSequenceCache<F.Scalar>?
    let timeSteps: Int
    let batchSize: Int
}

enum FusedSequence {
    /// Runs `cell` over `input` (`[T, batch, inputSize]`) from `initialState`; returns the outputs
    /// `[T, batch, hiddenSize]` and the final state.
    static func forward<F: GatedRecurrentCell>(
        _ cell: F, input: Tensor<F.Scalar>, initialState: F.State
    ) -> (outputs: Tensor<F.Scalar>, finalState: F.State, cache: FusedSequenceCache<F>) {
        if let kind = cell.sequenceKernel {
            return NativeSequence.forward(
                cell, kind: kind, input: input, timeSteps: input.shape[0], batchSize: input.shape[1], initialState: initialState)
        }
        let timeSteps = input.shape[0], batchSize = input.shape[1]
        let flat = input.reshaped(to: [timeSteps * batchSize, cell.inputSize])
        // W_hhᵀ packed once into the GEMM's panel layout and reused by all T recurrent products.
        let hiddenWeight = PackedMatrixOperand(cell.weightHH, transposed: true)
        // zx for every step at once: [T·B, I]·[I, G·H].
        // b_ih written into every row first, the GEMM accumulates onto it (β = 1): no extra pass.
        let gateWidth = F.gateCount * cell.hiddenSize
        var inputProjections = Tensor<F.Scalar>(shape: [timeSteps * batchSize, gateWidth]) { rows in
            cell.biasIH.withUnsafeBufferPointer { bias in
                for row in 0..<(timeSteps * batchSize) {
                    (rows.baseAddress! + row * gateWidth).initialize(from: bias.baseAddress!, count: gateWidth)
                }
            }
        }
        // x·W_ihᵀ with W_ih as stored (transposeB): the GEMM packs each panel of it once anyway,
        // and `transposed()` was a generic element-by-element copy (1.5% of config C).
        inputProjections.addMatrixProduct(flat, cell.weightIH, transposeB: true, beta: 1)
        var state = initialState
        var hiddens = [state.hidden]
        var pointwise: [F.PointwiseCache] = []
        hiddens.reserveCapacity(timeSteps + 1)
        pointwise.reserveCapacity(timeSteps)
        // b_hh broadcast to [batch, G·H] once; each step copies it into the projection buffer and
        // the recurrent GEMM accumulates onto it (β = 1): no separate bias pass or temporary. The
        // buffer is reused across steps; a cell whose cache keeps it (GRU) makes the next step's
        // write copy it first (copy-on-write), so cached values are never overwritten.
        let biasRows = Tensor<F.Scalar>.zeros([batchSize, gateWidth]) + cell.biasHH
        var hiddenProjection = biasRows
        for t in 0..<timeSteps {
            let inputProjection = inputProjections.slice((t * batchSize)..<((t + 1) * batchSize))
            hiddenProjection.withUnsafeMutableBufferPointer { destination in
                biasRows.withUnsafeBufferPointer { source in
                    destination.baseAddress!.update(from: source.baseAddress!, count: batchSize * gateWidth)
                }
            }
            hiddenWeight.multiply(state.hidden, into: &hiddenProjection, beta: 1)
            let (next, cache) = cell.pointwiseForward(
                inputProjection: inputProjection, hiddenProjection: hiddenProjection, state: state)
            state = next
            hiddens.append(next.hidden)
            pointwise.append(cache)
        }
        let history = Tensor.concatenate(hiddens)
        let outputs = history.slice(batchSize..<((timeSteps + 1) * batchSize))
            .reshaped(to: [timeSteps, batchSize, cell.hiddenSize])
        let cache = FusedSequenceCache<F>(
            input: flat, hiddenHistory: history, pointwise: pointwise, native: nil, timeSteps: timeSteps,
            batchSize: batchSize)
        return (outputs, state, cache)
    }

    /// Backpropagates through the last `min(depth, T)` steps of a fused forward pass.
    ///
    /// ∂L/∂hₜ from outside comes from `sequenceGradient` (`[T, batch, hidden]`), or only for the
    /// last step from `lastStepGradient` (`[batch, hidden]`), or not at all. Adds the parameter
    /// gradients into `gradients` under the cell's keys; records the gradient flow ‖∂L/∂hₜ‖₂ when
    /// the context asks.
    static func backward<F: GatedRecurrentCell>(
        _ cell: F, sequenceGradient: Tensor<F.Scalar>?, lastStepGradient: Tensor<F.Scalar>?, finalStateGradient: F.State,
        cache: FusedSequenceCache<F>, gradients: inout ParameterSet<F.Scalar>, context: inout RecurrentBackwardContext<F.Scalar>
    ) -> (inputGradient: Tensor<F.Scalar>, initialStateGradient: F.State) {
        let timeSteps = cache.timeSteps, batchSize = cache.batchSize
        let truncationDepth = context.truncationDepth ?? timeSteps
        precondition(truncationDepth >= 1, "Recurrent.backward: truncationDepth must be at least 1, got \(truncationDepth)")
        let computesInputGradient = context.computesInputGradient
        if let native = cache.native {
            // The last step's output gradient enters the carry like a final-state gradient.
            let carry = lastStepGradient.map { finalStateGradient.addingToHidden($0) } ?? finalStateGradient
            return NativeSequence.backward(
                cell, native: native, outputGradients: sequenceGradient, finalStateGradient: carry, cache: cache,
                gradients: &gradients, truncationDepth: truncationDepth, context: &context)
        }
        precondition(
            context.gradientTerms.isEmpty,
            "Recurrent.backward: gradient terms need a cell with a whole-sequence kernel (Cell.sequenceKernel), \(F.self) has none")
        var profile: [Double]? = context.recordsGradientFlow ? Array(repeating: 0, count: timeSteps) : nil
        defer { context.gradientFlow = profile }
        let outputGradient: (Int) -> Tensor<F.Scalar>? = { t in
            if let sequenceGradient { return sequenceGradient[t] }
            return t == timeSteps - 1 ? lastStepGradient : nil
        }
        let hiddenHistory = cache.hiddenHistory!
        let first = max(0, timeSteps - truncationDepth)
        var carry = finalStateGradient
        var inputProjectionGradients: [Tensor<F.Scalar>] = []
        var hiddenProjectionGradients: [Tensor<F.Scalar>] = []
        inputProjectionGradients.reserveCapacity(timeSteps - first)
        hiddenProjectionGradients.reserveCapacity(timeSteps - first)
        let hiddenWeight = PackedMatrixOperand(cell.weightHH)  // packed once for all steps
        for t in stride(from: timeSteps - 1, through: first, by: -1) {
            if let gradient = outputGradient(t) { carry = carry.addingToHidden(gradient) }
            if profile != nil { profile![t] = carry.hiddenSquaredNorm.squareRoot() }
            let (inputProjectionGradient, hiddenProjectionGradient, direct) = cell.pointwiseBackward(
                stateGradient: carry, cache: cache.pointwise[t])
            // ∂L/∂hₜ₋₁ = direct + dZh·W_hh, accumulated in place by the GEMM (β = 1).
            var hiddenGradient = direct.hidden
            hiddenWeight.multiply(hiddenProjectionGradient, into: &hiddenGradient, beta: 1)
            carry = direct.replacingHidden(hiddenGradient)
            inputProjectionGradients.append(inputProjectionGradient)
            if !F.sharesProjectionGradients { hiddenProjectionGradients.append(hiddenProjectionGradient) }
        }
        // Σₜ over the processed steps, each as one GEMM over [steps·B] rows. LSTM and RNN cells
        // return the same tensor for both projections: concatenate it once.
        let dZx = Tensor.concatenate(inputProjectionGradients.reversed())
        let dZh = F.sharesProjectionGradients ? dZx : Tensor.concatenate(hiddenProjectionGradients.reversed())
        // The input and h₀…h_{T−1} rows are read in place (no slice copies).
        let rowOffset = first * batchSize, rowCount = (timeSteps - first) * batchSize
        let operation = "Recurrent.backward"
        gradients.accumulate("weightIH", operation: operation) {
            addTransposedProduct(into: &$0, dZx, cache.input!, rowOffset: rowOffset, rowCount: rowCount)
        }
        gradients.accumulate("weightHH", operation: operation) {
            addTransposedProduct(into: &$0, dZh, hiddenHistory, rowOffset: rowOffset, rowCount: rowCount)
        }
        let biasIHGradient = dZx.sum(alongAxis: 0)
        let biasHHGradient = F.sharesProjectionGradients ? biasIHGradient : dZh.sum(alongAxis: 0)
        gradients.accumulate("biasIH", operation: operation) { $0 += biasIHGradient }
        gradients.accumulate("biasHH", operation: operation) { $0 += biasHHGradient }
        let initialStateGradient = first == 0 ? carry : cell.zeroState(batchSize: batchSize)
        guard computesInputGradient else {
            return (.zeros([timeSteps, batchSize, cell.inputSize]), initialStateGradient)
        }
        var inputGradient = dZx.matmul(cell.weightIH)
        if first > 0 {
            inputGradient = .concatenate([.zeros([first * batchSize, cell.inputSize]), inputGradient])
        }
        return (inputGradient.reshaped(to: [timeSteps, batchSize, cell.inputSize]), initialStateGradient)
    }

    /// weight += dZ[dZRowOffset ..< dZRowOffset + rowCount]ᵀ · rows[rowOffset ..< rowOffset + rowCount],
    /// with dZ `[_, weight.shape[0]]` and rows `[_, weight.shape[1]]`: one GEMM reading both where
    /// they lie (no slice copies).
    static func addTransposedProduct<S: TensorScalar>(
        into weight: inout Tensor<S>, _ dZ: Tensor<S>, dZRowOffset: Int = 0, _ rows: Tensor<S>, rowOffset: Int, rowCount: Int
    ) {
        let m = weight.shape[0], n = weight.shape[1]
        precondition(
            dZ.rank == 2 && dZ.shape[1] == m && dZRowOffset + rowCount <= dZ.shape[0] && rows.rank == 2 && rows.shape[1] == n && rowOffset + rowCount <= rows.shape[0],
            "FusedSequence: weight-gradient shapes \(weight.shape), \(dZ.shape), \(rows.shape)")
        guard rowCount > 0, m > 0, n > 0 else { return }
        // dZ and rows are parameters: alive for the call.
        Kernels.matrixMultiply(
            transposeA: true, transposeB: false, m: m, n: n, k: rowCount, alpha: 1,
            a: dZ.baseAddress + dZRowOffset * m, lda: m, b: rows.baseAddress + rowOffset * n, ldb: n,
            beta: 1, c: weight.mutableBaseAddress(), ldc: n)
    }
}

extension GatedRecurrentCell {
    /// The fused engine: the native C kernel when `Cell.sequenceKernel` names one, else the
    /// generic fused loop around ``pointwiseForward(inputProjection:hiddenProjection:state:)``.
    public func forwardSequence(
        _ sequence: Tensor<Scalar>, initialState: State
    ) -> (outputs: Tensor<Scalar>, finalState: State, cache: FusedSequenceCache<Self>)? {
        FusedSequence.forward(self, input: sequence, initialState: initialState)
    }

    /// The token path of the native kernel (nil without a `Cell.sequenceKernel`, or when the
    /// vocabulary has more rows than the window, where projecting the table costs more than it saves).
    public func forwardSequence(
        indices: [Int], table: Tensor<Scalar>, timeSteps: Int, batchSize: Int, initialState: State
    ) -> (outputs: Tensor<Scalar>, finalState: State, cache: FusedSequenceCache<Self>)? {
        guard let kind = sequenceKernel,
            let tokens = tokenInput(indices: indices, table: table, timeSteps: timeSteps, batchSize: batchSize)
        else { return nil }
        return NativeSequence.forward(
            self, kind: kind, input: nil, tokens: tokens, timeSteps: timeSteps, batchSize: batchSize, initialState: initialState)
    }

    /// Token input the native kernel takes: nil when the vocabulary has more rows than the window.
    /// The projected table (and the per-token gradient sums) cost a row per token of the
    /// vocabulary, the savings a row per step and sequence: a vocabulary larger than the window
    /// (word models, short windows) would cost more FLOPs and memory than it saves.
    private func tokenInput(indices: [Int], table: Tensor<Scalar>, timeSteps: Int, batchSize: Int) -> TokenInput<Scalar>? {
        guard table.shape[0] <= timeSteps * batchSize else { return nil }
        precondition(
            table.rank == 2 && table.shape[1] == inputSize,
            "Recurrent.forward: embedding table has shape \(table.shape), expected [vocabulary, \(inputSize)]")
        precondition(
            timeSteps > 0 && batchSize > 0 && indices.count == timeSteps * batchSize,
            "Recurrent.forward: \(indices.count) token indices for \(timeSteps) steps of \(batchSize) sequences")
        return TokenInput(indices: indices, table: table)
    }

    /// The native kernel's forward, described for a stack's wavefront (nil without a
    /// `Cell.sequenceKernel`, or for token input that ``forwardSequence(indices:table:timeSteps:batchSize:initialState:)``
    /// would not take).
    public func sequenceKernelForward(
        _ input: SequenceKernelInput<Scalar>, timeSteps: Int, batchSize: Int, initialState: State
    ) -> SequenceKernelForward<Scalar, (outputs: Tensor<Scalar>, finalState: State, cache: FusedSequenceCache<Self>)>? {
        guard let kind = sequenceKernel, timeSteps > 0, batchSize > 0 else { return nil }
        switch input {
        case .sequence(let sequence):
            precondition(
                sequence.shape == [timeSteps, batchSize, inputSize],
                "Recurrent.forward: input has shape \(sequence.shape), expected [\(timeSteps), \(batchSize), \(inputSize)]")
            return NativeSequence.forwardStage(
                self, kind: kind, input: sequence, tokens: nil, timeSteps: timeSteps, batchSize: batchSize, initialState: initialState)
        case .tokens(let indices, let table):
            guard let tokens = tokenInput(indices: indices, table: table, timeSteps: timeSteps, batchSize: batchSize) else {
                return nil
            }
            return NativeSequence.forwardStage(
                self, kind: kind, input: nil, tokens: tokens, timeSteps: timeSteps, batchSize: batchSize, initialState: initialState)
        case .layerBelow:
            return NativeSequence.forwardStage(
                self, kind: kind, input: nil, tokens: nil, timeSteps: timeSteps, batchSize: batchSize, initialState: initialState)
        }
    }

    /// The native kernel's backward, described for a stack's wavefront (nil when the cache is not
    /// the native kernel's).
    public func sequenceKernelBackward(
        _ outputsGradient: Tensor<Scalar>?, lastStepGradient: Tensor<Scalar>?, finalStateGradient: State,
        cache: FusedSequenceCache<Self>, context: RecurrentBackwardContext<Scalar>, gradientFromAbove: Bool
    ) -> SequenceKernelBackward<
        Scalar, RecurrentBackwardContext<Scalar>, (inputGradient: Tensor<Scalar>?, initialStateGradient: State)
    >? {
        guard let native = cache.native else { return nil }
        let depth = context.truncationDepth ?? cache.timeSteps
        precondition(depth >= 1, "Recurrent.backward: truncationDepth must be at least 1, got \(depth)")
        // The last step's output gradient enters the carry like a final-state gradient.
        let carry = lastStepGradient.map { finalStateGradient.addingToHidden($0) } ?? finalStateGradient
        return NativeSequence.backwardStage(
            self, native: native, outputGradients: outputsGradient, gradientFromAbove: gradientFromAbove, finalStateGradient: carry,
            cache: cache, truncationDepth: depth, context: context)
    }

    /// The backward pass of the fused engine; see `Cell.backwardSequence(_:lastStepGradient:finalStateGradient:cache:gradients:context:)`.
    public func backwardSequence(
        _ outputsGradient: Tensor<Scalar>?, lastStepGradient: Tensor<Scalar>?, finalStateGradient: State,
        cache: FusedSequenceCache<Self>, gradients: inout ParameterSet<Scalar>, context: inout RecurrentBackwardContext<Scalar>
    ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: State) {
        FusedSequence.backward(
            self, sequenceGradient: outputsGradient, lastStepGradient: lastStepGradient, finalStateGradient: finalStateGradient,
            cache: cache, gradients: &gradients, context: &context)
    }
}
