import Foundation
import Testing
import KeelTrainer

/// A network with an embedding front feeds the encoder token indices: built-in cells on the fused
/// path read projected table rows (P = E·W_ihᵀ + b) instead of the embedded sequence, and sum the
/// gradients per token. These tests hold that path to the step-by-step path (which gathers the
/// rows and runs the `Cell` protocol, a separate implementation) and to finite differences.
@Suite struct TokenInputTests {
    static let vocabulary = 7, dimension = 3, hidden = 5
    /// T·batch = 24 ≥ the vocabulary: the token path. `shortShape` (T·batch = 6 < 7) takes the
    /// gathered rows, where the table projection would not pay for itself.
    static let steps = 6, batch = 4, shortShape = (steps: 3, batch: 2)

    /// Token indices `[T, B]` with repeats and at least one unused token.
    static func tokens(seed: UInt64, steps: Int = steps, batch: Int = batch) -> Tensor<Double> {
        var generator = Xoshiro256StarStar(seed: seed)
        return Tensor(shape: [steps, batch], scalars: (0..<(steps * batch)).map { _ in Double(generator.next() % UInt64(vocabulary - 1)) })
    }

    static func random(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
        var generator = Xoshiro256StarStar(seed: seed)
        return Tensor(randomUniform: shape, lowerBound: -1, upperBound: 1, using: &generator)
    }

    static func network<C: Cell>(_ cells: [C], headOnEveryStep: Bool, dropout: Double) -> RecurrentNetwork<Recurrent<C>>
    where C.Scalar == Double, C.State: Sendable {
        var generator = Xoshiro256StarStar(seed: 3)
        return RecurrentNetwork(
            embedding: Embedding(vocabularySize: vocabulary, dimension: dimension, generator: &generator),
            encoder: StackedRecurrent(cells: cells, dropoutRate: dropout),
            head: Dense(inputSize: hidden, outputSize: 2, generator: &generator), headOnEveryStep: headOnEveryStep)
    }

    /// Output, every parameter gradient and the flow profiles of one training window.
    static func run<L: RecurrentSequenceLayer>(
        _ model: RecurrentNetwork<L>, input: Tensor<Double>, initialState: [L.State]?, truncationDepth: Int?
    ) -> (output: Tensor<Double>, gradients: ParameterSet<Double>, profiles: [[Double]], inputGradient: Tensor<Double>)
    where L.Scalar == Double, L.State: Sendable {
        var context = ForwardContext(mode: .training, seed: 21)
        let (output, _, cache) = model.forward(input, initialState: initialState, context: &context)
        var gradients = model.parameters.zerosLike()
        var backwardContext = SequenceBackwardContext(truncationDepth: truncationDepth, recordsGradientFlow: true)
        let inputGradient = model.backward(
            random(output.shape, seed: 99), cache: cache, gradients: &gradients, context: &backwardContext)
        return (output, gradients, backwardContext.gradientFlow, inputGradient)
    }

    static func maxDifference(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
        precondition(a.shape == b.shape)
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    /// The token path against the step path of the same weights, for every option that changes the backward pass.
    static func compareWithStepPath<C: Cell>(_ cells: [C], label: String) where C.Scalar == Double, C.State: Sendable {
        for (steps, batch, headOnEveryStep) in [(steps, batch, true), (steps, batch, false), (shortShape.steps, shortShape.batch, true)] {
            for truncationDepth in [nil, 2] {
                for startsFromState in [false, true] {
                    let fused = network(cells, headOnEveryStep: headOnEveryStep, dropout: 0.3)
                    var stepped = fused
                    for index in stepped.encoder.layers.indices { stepped.encoder.layers[index].usesFusedPath = false }
                    let input = tokens(seed: 5, steps: steps, batch: batch)
                    // A state from a previous window, as truncated BPTT carries it.
                    var context = ForwardContext(mode: .inference)
                    let carried = startsFromState
                        ? fused.forward(tokens(seed: 8, steps: steps, batch: batch), initialState: nil, context: &context).finalState : nil
                    let a = run(fused, input: input, initialState: carried, truncationDepth: truncationDepth)
                    let b = run(stepped, input: input, initialState: carried, truncationDepth: truncationDepth)
                    let where_ = "\(label), T \(steps), batch \(batch), head on every step \(headOnEveryStep), depth \(String(describing: truncationDepth)), carried state \(startsFromState)"
                    #expect(maxDifference(a.output, b.output) < 1e-12, "output, \(where_)")
                    #expect(a.gradients.keys == b.gradients.keys)
                    for key in a.gradients.keys {
                        let x = a.gradients.tensor(for: key)!, y = b.gradients.tensor(for: key)!
                        let scale = max(1, y.scalars.map(abs).max() ?? 0)
                        #expect(maxDifference(x, y) < 1e-12 * scale, "\(key), \(where_)")
                    }
                    #expect(a.profiles.count == 2 && a.profiles.count == b.profiles.count)
                    for (p, q) in zip(a.profiles, b.profiles) {
                        #expect(zip(p, q).allSatisfy { abs($0 - $1) < 1e-12 * max(1, $1) }, "profile, \(where_)")
                    }
                    #expect(a.inputGradient == .zeros([steps, batch]))
                    // The unused token's row gets no gradient; the used rows do.
                    let table = a.gradients.tensor(for: "embedding.weight")!
                    #expect(table.slice((vocabulary - 1)..<vocabulary).scalars.allSatisfy { $0 == 0 })
                    #expect(table.slice(0..<(vocabulary - 1)).scalars.contains { $0 != 0 })
                }
            }
        }
    }

    @Test func tokenPathMatchesTheStepPathForEveryBuiltInCell() {
        Self.compareWithStepPath(
            [RNNCell<Double>(inputSize: Self.dimension, hiddenSize: Self.hidden, seed: 1),
             RNNCell<Double>(inputSize: Self.hidden, hiddenSize: Self.hidden, seed: 2)], label: "RNN tanh")
        Self.compareWithStepPath(
            [RNNCell<Double>(inputSize: Self.dimension, hiddenSize: Self.hidden, nonlinearity: .relu, seed: 1),
             RNNCell<Double>(inputSize: Self.hidden, hiddenSize: Self.hidden, nonlinearity: .relu, seed: 2)], label: "RNN ReLU")
        Self.compareWithStepPath(
            [LSTMCell<Double>(inputSize: Self.dimension, hiddenSize: Self.hidden, seed: 1),
             LSTMCell<Double>(inputSize: Self.hidden, hiddenSize: Self.hidden, seed: 2)], label: "LSTM")
        Self.compareWithStepPath(
            [GRUCell<Double>(inputSize: Self.dimension, hiddenSize: Self.hidden, seed: 1),
             GRUCell<Double>(inputSize: Self.hidden, hiddenSize: Self.hidden, seed: 2)], label: "GRU")
    }

    /// Central differences of Σ output·projection for the parameters the token path computes
    /// differently: the table, the first layer's input weights and its biases.
    static func checkFiniteDifferences<C: Cell>(_ cells: [C], label: String) where C.Scalar == Double, C.State: Sendable {
        let model = network(cells, headOnEveryStep: true, dropout: 0)
        let input = tokens(seed: 6)
        let projection = random([steps, batch, 2], seed: 99)
        func loss(_ model: RecurrentNetwork<Recurrent<C>>) -> Double {
            var context = ForwardContext(mode: .training, seed: 21)
            return (model.forward(input, initialState: nil, context: &context).output * projection).sum()
        }
        let analytic = run(model, input: input, initialState: nil, truncationDepth: nil).gradients
        let keys: [ParameterKey] = ["embedding.weight", "encoder.layer0.weightIH", "encoder.layer0.biasIH", "encoder.layer0.biasHH"]
        for key in keys {
            let count = model.parameters.tensor(for: key)!.scalarCount
            var numeric: [Double] = []
            for index in 0..<count {
                func shifted(_ delta: Double) -> Double {
                    var copy = model
                    copy.updateParameters { name, tensor in
                        if name == key { tensor.withUnsafeMutableBufferPointer { $0[index] += delta } }
                    }
                    return loss(copy)
                }
                numeric.append((shifted(1e-5) - shifted(-1e-5)) / 2e-5)
            }
            let exact = analytic.tensor(for: key)!.scalars
            let error = sqrt(zip(exact, numeric).map { ($0 - $1) * ($0 - $1) }.reduce(0, +))
                / max(sqrt(exact.map { $0 * $0 }.reduce(0, +)), 1e-12)
            #expect(error < 1e-7, "\(label) \(key): relative error \(error)")
        }
    }

    @Test func tokenPathGradientsMatchFiniteDifferences() {
        Self.checkFiniteDifferences(
            [LSTMCell<Double>(inputSize: Self.dimension, hiddenSize: Self.hidden, seed: 1)], label: "LSTM")
        Self.checkFiniteDifferences(
            [GRUCell<Double>(inputSize: Self.dimension, hiddenSize: Self.hidden, seed: 1)], label: "GRU")
        Self.checkFiniteDifferences(
            [RNNCell<Double>(inputSize: Self.dimension, hiddenSize: Self.hidden, seed: 1)], label: "RNN")
    }
}
