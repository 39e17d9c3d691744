import Testing
import KeelLayers

/// A stack of built-in layers runs as one wavefront kernel call (layer l at step t beside layer
/// l + 1 at step t − 1; backward, the mirror image, with the layer below's output gradient
/// (dZ W_ih) ⊙ mask computed step by step inside the kernel). It must give what running the layers
/// one after another gives — bit for bit: outputs, final states, every parameter gradient,
/// ∂L/∂input, ∂L/∂s₀ and the gradient-flow profiles — with dropout between layers, truncation, a
/// last-step head and final-state gradients; at every thread count (1 to 16, oversubscribed on a
/// 2-core machine, where the wavefront's tiles use column blocks and a barrier per phase) and
/// under every schedule (forced wavefront, forced layer by layer, the cost model's choice).
@Suite(.serialized) struct StackedWavefrontTests {
    typealias Support = RecurrentTestSupport

    /// `Recurrent` without a kernel stage: a stack of it takes the layer-by-layer path, the reference.
    struct LayerByLayer<C: Cell>: RecurrentSequenceLayer where C.State: RecurrentHiddenState<C.Scalar> {
        typealias Scalar = C.Scalar
        var inner: Recurrent<C>

        var inputSize: Int { inner.inputSize }
        var outputSize: Int { inner.outputSize }
        var computesInputGradient: Bool {
            get { inner.computesInputGradient }
            set { inner.computesInputGradient = newValue }
        }

        func zeroState(batchSize: Int) -> C.State { inner.zeroState(batchSize: batchSize) }

        func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
            try inner.visitParameters(visitor)
        }

        mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
            try inner.updateParameters(visitor)
        }

        func forwardSequence(
            _ sequence: Tensor<Scalar>, initialState: C.State?, context: inout ForwardContext
        ) -> (outputs: Tensor<Scalar>, finalState: C.State, cache: RecurrentCache<C>) {
            inner.forwardSequence(sequence, initialState: initialState, context: &context)
        }

        func backwardSequence(
            _ outputsGradient: Tensor<Scalar>?, finalStateGradient: C.State?, cache: RecurrentCache<C>,
            gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
        ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: C.State) {
            inner.backwardSequence(
                outputsGradient, finalStateGradient: finalStateGradient, cache: cache, gradients: &gradients, context: &context)
        }

        func backwardSequence(
            lastOutputGradient: Tensor<Scalar>, timeSteps: Int, finalStateGradient: C.State?, cache: RecurrentCache<C>,
            gradients: inout ParameterSet<Scalar>, context: inout SequenceBackwardContext
        ) -> (inputGradient: Tensor<Scalar>, initialStateGradient: C.State) {
            inner.backwardSequence(
                lastOutputGradient: lastOutputGradient, timeSteps: timeSteps, finalStateGradient: finalStateGradient, cache: cache,
                gradients: &gradients, context: &context)
        }
    }

    struct Run<S: TensorScalar>: Equatable {
        var output: Tensor<S>
        var final: [Tensor<S>]
        var inputGradient: Tensor<S>
        var initial: [Tensor<S>]
        var gradients: ParameterSet<S>
        var profiles: [[Double]]
    }

    struct Case: CustomStringConvertible {
        var dropout: Double
        var depth: Int?
        var lastStepOnly: Bool
        var finalStateGradients: Bool
        var description: String {
            "dropout \(dropout) depth \(String(describing: depth)) lastStep \(lastStepOnly) finalGradients \(finalStateGradients)"
        }
    }

    static let cases = [
        Case(dropout: 0.3, depth: nil, lastStepOnly: false, finalStateGradients: true),
        Case(dropout: 0, depth: 3, lastStepOnly: false, finalStateGradients: false),
        Case(dropout: 0.5, depth: nil, lastStepOnly: true, finalStateGradients: false),
        Case(dropout: 0.2, depth: 4, lastStepOnly: true, finalStateGradients: true),
    ]

    /// T = 7, batch 19, inputs 5, hidden 96 (16 threads need column blocks), three layers.
    static let steps = 7, batch = 19, features = 5

    func run<L: RecurrentSequenceLayer>(_ stack: StackedRecurrent<L>, _ c: Case) -> Run<L.Scalar>
    where L.State: RecurrentHiddenState<L.Scalar> {
        let input: Tensor<L.Scalar> = Support.random([Self.steps, Self.batch, Self.features], seed: 80)
        var context = ForwardContext(mode: .training, seed: 81)
        let (output, finals, cache) = stack.forward(input, initialStates: nil, context: &context)
        var gradients = stack.parameters.zerosLike()
        var backwardContext = SequenceBackwardContext(truncationDepth: c.depth, recordsGradientFlow: true)
        let finalGradients: [L.State]? = c.finalStateGradients
            ? finals.enumerated().map { index, state in
                L.State.assembled(
                    hidden: Support.random(state.hidden.shape, seed: 90 + UInt64(index)),
                    memoryCell: state.memoryCell.map { Support.random($0.shape, seed: 95 + UInt64(index)) })!
            } : nil
        let result = c.lastStepOnly
            ? stack.backward(
                lastOutputGradient: Support.random([Self.batch, stack.outputSize], seed: 82), finalStateGradients: finalGradients,
                cache: cache, gradients: &gradients, context: &backwardContext)
            : stack.backward(
                Support.random(output.shape, seed: 83), finalStateGradients: finalGradients, cache: cache, gradients: &gradients,
                context: &backwardContext)
        return Run(
            output: output, final: finals.flatMap(\.stateTensors), inputGradient: result.inputGradient,
            initial: result.initialStateGradients.flatMap(\.stateTensors), gradients: gradients,
            profiles: backwardContext.gradientFlow)
    }

    /// The same bits: the wavefront computes every element with the same GEMM micro-kernel tiles,
    /// k order and elementwise operations as the layers run one by one (dropout masks applied by
    /// the same multiplication, ∂L/∂h of a lower layer with the same blocked GEMM per step as the
    /// upper layer's whole input-gradient GEMM).
    func expectSame<S: TensorScalar>(_ a: Run<S>, _ b: Run<S>, _ label: String) {
        #expect(a.output == b.output, "\(label): outputs differ by \(Support.relativeError(a.output, b.output))")
        #expect(a.final == b.final, "\(label): final states differ")
        #expect(a.inputGradient == b.inputGradient, "\(label): ∂L/∂x differs by \(Support.relativeError(a.inputGradient, b.inputGradient))")
        #expect(a.initial == b.initial, "\(label): ∂L/∂s₀ differ")
        #expect(a.gradients.keys == b.gradients.keys)
        for index in 0..<min(a.gradients.count, b.gradients.count) {
            #expect(
                a.gradients[index] == b.gradients[index],
                "\(label) ∂L/∂\(a.gradients.keys[index]) differs by \(Support.relativeError(a.gradients[index], b.gradients[index]))")
        }
        #expect(a.profiles.count == b.profiles.count, "\(label): one profile per layer")
        #expect(a.profiles == b.profiles, "\(label): profiles differ")
    }

    func check<C: GatedRecurrentCell>(_ make: (Int, Int, UInt64) -> C, label: String) where C.State: RecurrentHiddenState<C.Scalar> {
        let cells = [make(Self.features, 96, 1), make(96, 96, 2), make(96, 96, 3)]
        let saved = Kernels.threadCount
        defer {
            Kernels.threadCount = saved
            Kernels.recurrentStackSchedule = .automatic
        }
        for c in Self.cases {
            let stack = StackedRecurrent(cells: cells, dropoutRate: c.dropout, returnsSequences: !c.lastStepOnly)
            let layerByLayer = StackedRecurrent(
                cells.map { LayerByLayer(inner: Recurrent(cell: $0)) }, dropoutRate: c.dropout, returnsSequences: !c.lastStepOnly)
            Kernels.threadCount = 1
            let reference = run(layerByLayer, c)
            for schedule in [Kernels.RecurrentStackSchedule.wavefront, .layerByLayer, .automatic] {
                Kernels.recurrentStackSchedule = schedule
                for threads in [1, 2, 3, 4, 8, 16] {
                    Kernels.threadCount = threads
                    expectSame(run(stack, c), reference, "\(label) \(c) \(schedule) \(threads) threads")
                }
            }
        }
    }

    @Test func rnnStackMatchesLayerByLayer() {
        check({ RNNCell<Float>(inputSize: $0, hiddenSize: $1, seed: $2) }, label: "RNN Float")
    }

    @Test func lstmStackMatchesLayerByLayer() {
        check({ LSTMCell<Float>(inputSize: $0, hiddenSize: $1, seed: $2) }, label: "LSTM Float")
    }

    @Test func gruStackMatchesLayerByLayer() {
        check({ GRUCell<Float>(inputSize: $0, hiddenSize: $1, seed: $2) }, label: "GRU Float")
    }

    @Test func doubleLSTMStackMatchesLayerByLayer() {
        check({ LSTMCell<Double>(inputSize: $0, hiddenSize: $1, seed: $2) }, label: "LSTM Double")
    }

    /// Layers of different widths: the layer above reads the one below's hidden units as its input.
    @Test func layersOfDifferentWidths() {
        let cells = [GRUCell<Float>(inputSize: Self.features, hiddenSize: 40, seed: 4), GRUCell<Float>(inputSize: 40, hiddenSize: 72, seed: 5)]
        let c = Case(dropout: 0.25, depth: nil, lastStepOnly: false, finalStateGradients: true)
        let saved = Kernels.threadCount
        defer {
            Kernels.threadCount = saved
            Kernels.recurrentStackSchedule = .automatic
        }
        Kernels.threadCount = 1
        let reference = run(StackedRecurrent(cells.map { LayerByLayer(inner: Recurrent(cell: $0)) }, dropoutRate: c.dropout), c)
        for (threads, schedule) in [(1, Kernels.RecurrentStackSchedule.wavefront), (8, .wavefront), (8, .automatic)] {
            Kernels.threadCount = threads
            Kernels.recurrentStackSchedule = schedule
            expectSame(run(StackedRecurrent(cells: cells, dropoutRate: c.dropout), c), reference, "GRU 40/72, \(threads) threads, \(schedule)")
        }
    }
}
