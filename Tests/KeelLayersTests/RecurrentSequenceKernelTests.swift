import Testing
import KeelLayers

/// The whole-sequence kernels of the built-in cells (the default fused path) on batches large
/// enough to be split over threads: the same numbers on 1 and 2 threads and on every kernel path,
/// matching the step-by-step path; and the generic fused path that other `GatedRecurrentCell`s take.
/// (`Kernels.threadCount` is process-wide; results never depend on it, so suites running beside
/// this one are not disturbed.)
@Suite(.serialized) struct RecurrentSequenceKernelTests {
    typealias Support = RecurrentTestSupport

    struct Run<S: TensorScalar>: Equatable {
        var output: Tensor<S>
        var final: [Tensor<S>]
        var inputGradient: Tensor<S>
        var initial: [Tensor<S>]
        var gradients: ParameterSet<S>
        var profile: [Double]
    }

    func run<C: Cell>(
        _ layer: Recurrent<C>, input: Tensor<C.Scalar>, outputGradient: Tensor<C.Scalar>, depth: Int?,
        profiled: Bool = true
    ) -> Run<C.Scalar> where C.State: RecurrentHiddenState<C.Scalar> {
        var context = ForwardContext(mode: .training)
        let (output, final, cache) = layer.forward(input, initialState: nil, context: &context)
        var gradients = layer.parameters.zerosLike()
        var backwardContext = SequenceBackwardContext(truncationDepth: depth, recordsGradientFlow: profiled)
        let (inputGradient, initial) = layer.backward(
            outputGradient, finalStateGradient: nil, cache: cache, gradients: &gradients, context: &backwardContext)
        return Run(
            output: output, final: final.stateTensors, inputGradient: inputGradient, initial: initial.stateTensors,
            gradients: gradients, profile: backwardContext.gradientFlow.first ?? [])
    }

    func expectClose<S: TensorScalar>(_ a: Run<S>, _ b: Run<S>, tolerance: Double, _ label: String) {
        #expect(Support.relativeError(a.output, b.output) <= tolerance, "\(label) outputs")
        #expect(Support.relativeError(a.inputGradient, b.inputGradient) <= tolerance, "\(label) ∂L/∂x")
        for (x, y) in zip(a.final, b.final) { #expect(Support.relativeError(x, y) <= tolerance, "\(label) final state") }
        for (x, y) in zip(a.initial, b.initial) { #expect(Support.relativeError(x, y) <= tolerance, "\(label) ∂L/∂s₀") }
        #expect(a.gradients.keys == b.gradients.keys)
        for index in 0..<a.gradients.count {
            let error = Support.relativeError(a.gradients[index], b.gradients[index])
            #expect(error <= tolerance, "\(label) ∂L/∂\(a.gradients.keys[index]): \(error)")
        }
        #expect(a.profile.count == b.profile.count)
        for (x, y) in zip(a.profile, b.profile) { #expect(abs(x - y) <= tolerance * max(1, abs(y)), "\(label) profile") }
    }

    /// Batch 37 (chunks of 19 and 18 rows on two threads), T = 9, hidden 24.
    func check<C: GatedRecurrentCell>(_ cell: C, label: String) where C.Scalar == Float {
        let input: Tensor<Float> = Support.random([9, 37, cell.inputSize], seed: 70)
        let outputGradient: Tensor<Float> = Support.random([9, 37, cell.hiddenSize], seed: 71)
        let saved = Kernels.threadCount
        defer { Kernels.threadCount = saved }
        for depth in [nil, 4] as [Int?] {
            let steps = run(Recurrent(cell: cell, usesFusedPath: false), input: input, outputGradient: outputGradient, depth: depth)
            for path in Kernels.supportedPaths {
                Kernels.withPath(path) {
                    Kernels.threadCount = 1
                    let one = run(Recurrent(cell: cell), input: input, outputGradient: outputGradient, depth: depth)
                    Kernels.threadCount = 2
                    let two = run(Recurrent(cell: cell), input: input, outputGradient: outputGradient, depth: depth)
                    #expect(one == two, "\(label) \(path) depth \(String(describing: depth)): 1 and 2 threads differ")
                    expectClose(one, steps, tolerance: 2e-5, "\(label) \(path) depth \(String(describing: depth))")
                }
            }
        }
    }

    /// Batch 19 and hidden 96: too few rows for many threads, so the kernels cut the hidden units
    /// into column blocks (one barrier per step). Every thread count from 1 to 16 (oversubscribed on
    /// a 2-core machine) gives the same bits as 1 thread, with and without truncation, with and
    /// without the profile (which keeps the backward pass to row chunks), on every kernel path.
    func checkThreadCounts<C: GatedRecurrentCell>(_ cell: C, kind: Kernels.RecurrentCellKind, label: String) {
        let input: Tensor<C.Scalar> = Support.random([7, 19, cell.inputSize], seed: 74)
        let outputGradient: Tensor<C.Scalar> = Support.random([7, 19, cell.hiddenSize], seed: 75)
        let saved = Kernels.threadCount
        defer { Kernels.threadCount = saved }
        for path in Kernels.supportedPaths {
            Kernels.withPath(path) {
                let blocked = Kernels.recurrentPartition(
                    cell: kind, batchSize: 19, inputSize: cell.inputSize, hiddenSize: cell.hiddenSize, threads: 16)
                // (the partition reported is Float's; Double's register tile is narrower, so it splits too)
                #expect(blocked.columnBlocks > 1, "\(label) \(path): 16 threads should split the hidden units (\(blocked))")
                for depth in [nil, 3] as [Int?] {
                    for profiled in [false, true] {
                        Kernels.threadCount = 1
                        let one = run(Recurrent(cell: cell), input: input, outputGradient: outputGradient, depth: depth, profiled: profiled)
                        for threads in [2, 3, 4, 7, 8, 16] {
                            // Reused buffers would hold the last run's values: fill them with other
                            // numbers first, so that an element the kernel failed to write shows.
                            _ = run(Recurrent(cell: cell), input: input * 3, outputGradient: outputGradient * -2, depth: depth, profiled: profiled)
                            Kernels.threadCount = threads
                            let other = run(Recurrent(cell: cell), input: input, outputGradient: outputGradient, depth: depth, profiled: profiled)
                            #expect(one == other, "\(label) \(path) depth \(String(describing: depth)) profile \(profiled): 1 and \(threads) threads differ")
                        }
                    }
                }
            }
        }
    }

    @Test func rnnTanhColumnBlocks() {
        checkThreadCounts(RNNCell<Float>(inputSize: 5, hiddenSize: 192, seed: 16), kind: .rnnTanh, label: "RNN tanh")
    }
    @Test func rnnReLUColumnBlocks() {
        checkThreadCounts(RNNCell<Float>(inputSize: 5, hiddenSize: 192, nonlinearity: .relu, seed: 17), kind: .rnnReLU, label: "RNN ReLU")
    }
    @Test func lstmColumnBlocks() {
        checkThreadCounts(LSTMCell<Float>(inputSize: 5, hiddenSize: 96, seed: 18), kind: .lstm, label: "LSTM")
    }
    @Test func gruColumnBlocks() {
        checkThreadCounts(GRUCell<Float>(inputSize: 5, hiddenSize: 96, seed: 19), kind: .gru, label: "GRU")
    }

    @Test func doubleColumnBlocks() {
        checkThreadCounts(LSTMCell<Double>(inputSize: 5, hiddenSize: 96, seed: 20), kind: .lstm, label: "LSTM Double")
        checkThreadCounts(GRUCell<Double>(inputSize: 5, hiddenSize: 96, seed: 21), kind: .gru, label: "GRU Double")
    }

    /// The partition: today's row chunks where the rows suffice (every configuration of the 2-core
    /// benchmarks on 1 and 2 threads), column blocks where they do not.
    @Test func partitionUsesColumnBlocksOnlyWhenRowsRunOut() {
        Kernels.withPath(.portable) {
            for threads in [1, 2] {
                let partition = Kernels.recurrentPartition(cell: .lstm, batchSize: 32, inputSize: 64, hiddenSize: 512, threads: threads)
                #expect(partition == .init(rowChunks: threads, columnBlocks: 1))
            }
            let four = Kernels.recurrentPartition(cell: .lstm, batchSize: 32, inputSize: 64, hiddenSize: 512, threads: 4)
            #expect(four == .init(rowChunks: 4, columnBlocks: 1))
            let sixteen = Kernels.recurrentPartition(cell: .lstm, batchSize: 32, inputSize: 64, hiddenSize: 512, threads: 16)
            #expect(sixteen.columnBlocks > 1 && sixteen.rowChunks * sixteen.columnBlocks <= 16)
        }
    }

    @Test func rnnTanh() { check(RNNCell<Float>(inputSize: 5, hiddenSize: 24, seed: 11), label: "RNN tanh") }
    @Test func rnnReLU() { check(RNNCell<Float>(inputSize: 5, hiddenSize: 24, nonlinearity: .relu, seed: 12), label: "RNN ReLU") }
    @Test func lstm() { check(LSTMCell<Float>(inputSize: 5, hiddenSize: 24, seed: 13), label: "LSTM") }
    @Test func gru() { check(GRUCell<Float>(inputSize: 5, hiddenSize: 24, seed: 14), label: "GRU") }

    /// A third-party gated cell (here one that delegates to LSTMCell) runs on the generic fused
    /// path, which must give the built-in kernel's numbers.
    @Test func genericFusedPathMatchesTheSequenceKernel() {
        let lstm = LSTMCell<Double>(inputSize: 4, hiddenSize: 5, seed: 15)
        let input: Tensor<Double> = Support.random([6, 18, 4], seed: 72)
        let outputGradient: Tensor<Double> = Support.random([6, 18, 5], seed: 73)
        for depth in [nil, 3] as [Int?] {
            let native = run(Recurrent(cell: lstm), input: input, outputGradient: outputGradient, depth: depth)
            let generic = run(Recurrent(cell: DelegatingLSTM(inner: lstm)), input: input, outputGradient: outputGradient, depth: depth)
            expectClose(native, generic, tolerance: 1e-12, "generic fused path, depth \(String(describing: depth))")
        }
    }
}

/// A `GatedRecurrentCell` that is not one of the built-ins: every requirement forwards to an LSTMCell.
struct DelegatingLSTM: GatedRecurrentCell {
    typealias Scalar = Double
    typealias State = LSTMState<Double>
    typealias StepCache = LSTMCell<Double>.StepCache
    typealias PointwiseCache = LSTMCell<Double>.PointwiseCache

    var inner: LSTMCell<Double>

    static var gateCount: Int { 4 }
    var weightIH: Tensor<Double> { inner.weightIH }
    var weightHH: Tensor<Double> { inner.weightHH }
    var biasIH: Tensor<Double> { inner.biasIH }
    var biasHH: Tensor<Double> { inner.biasHH }
    var inputSize: Int { inner.inputSize }
    var hiddenSize: Int { inner.hiddenSize }

    func visitParameters(_ visitor: (ParameterKey, Tensor<Double>) throws -> Void) rethrows { try inner.visitParameters(visitor) }
    mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Double>) throws -> Void) rethrows {
        try inner.updateParameters(visitor)
    }
    func zeroState(batchSize: Int) -> State { inner.zeroState(batchSize: batchSize) }
    func step(_ input: Tensor<Double>, state: State) -> (output: Tensor<Double>, state: State, cache: StepCache) {
        inner.step(input, state: state)
    }
    func backwardStep(
        outputGradient: Tensor<Double>, stateGradient: State, cache: StepCache, gradients: inout ParameterSet<Double>
    ) -> (inputGradient: Tensor<Double>, stateGradient: State) {
        inner.backwardStep(outputGradient: outputGradient, stateGradient: stateGradient, cache: cache, gradients: &gradients)
    }
    func pointwiseForward(
        inputProjection: Tensor<Double>, hiddenProjection: Tensor<Double>, state: State
    ) -> (state: State, cache: PointwiseCache) {
        inner.pointwiseForward(inputProjection: inputProjection, hiddenProjection: hiddenProjection, state: state)
    }
    func pointwiseBackward(
        stateGradient: State, cache: PointwiseCache
    ) -> (inputProjectionGradient: Tensor<Double>, hiddenProjectionGradient: Tensor<Double>, stateGradient: State) {
        inner.pointwiseBackward(stateGradient: stateGradient, cache: cache)
    }
}
