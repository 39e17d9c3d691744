/// A complete recurrent model for real tasks: an optional `Embedding` front for index inputs,
/// a `StackedRecurrent` encoder (layers, dropout between layers, unidirectional or
/// `Bidirectional` layers), optional dropout on the encoder's output, and a `Dense` head on
/// the last step (sequence regression or classification) or on every step (copy task, character
/// language model).
///
/// **Dropout.** The encoder's `dropoutRate` acts between stacked layers only, as PyTorch's
/// `nn.LSTM(dropout:)`. ``headDropoutRate`` adds inverted dropout on the features the head reads,
/// as char-rnn (Karpathy 2015) and Zaremba et al. (2014) do: with both, an L-layer network drops
/// units before each of its L − 1 upper layers and before the output layer. Masks are drawn from
/// the forward context (training only), so a context seed fixes them.
///
/// It is a ``StatefulSequenceModel``: truncated BPTT carries every layer's state across windows,
/// and the trainer records one gradient-flow profile per layer (named by ``gradientFlowKeys``).
/// The layer type is a generic parameter, so the hot path is statically typed; choose it with
/// ``RecurrentNetworkSpecification/build(_:)`` when the architecture is only known at run time
/// (the `keel` CLI).
///
/// **Shapes.** Without an embedding, input `[T, batch, inputSize]`; with one, input `[T, batch]`
/// of token indices (whole numbers stored as scalars), embedded to `[T, batch, dimension]`.
///
/// **Embedding and first layer.** With an embedding and a built-in first layer (`Recurrent` over
/// `RNNCell`, `LSTMCell` or `GRUCell` on the fused path) the embedded sequence is never
/// built: the layer projects the table once, P = E·W_ihᵀ + b (one row per token), starts each
/// step from the rows of P its tokens pick, and sums the pre-activation gradients per token before
/// computing ∂W_ih and ∂E. The result is the same as embedding and then running the layer (up to
/// float rounding); it saves the input columns of every step's GEMM, of the weight-gradient GEMM
/// and of ∂L/∂x (≈ 4% of a character model's FLOPs). It is used when the vocabulary has at most
/// T·batch tokens (beyond that the table costs more than it saves); other first layers, and larger
/// vocabularies, get the gathered rows.
/// Output `[T, batch, outputSize]` with ``headOnEveryStep``, else `[batch, outputSize]` from the
/// last step.
///
/// **Parameter keys** (model order, which the trainer reverses as the backward order):
/// `embedding.weight`, `encoder.layer0.weightIH`, `encoder.layer0.weightHH`, … (bidirectional:
/// `encoder.layer0.forward.weightHH`, `encoder.layer0.backward.weightHH`), `head.weight`,
/// `head.bias`.
public struct RecurrentNetwork<RecurrentLayer: RecurrentSequenceLayer>: StatefulSequenceModel, BufferContainer, Sendable
where RecurrentLayer.State: Sendable {
    /// The element type.
    public typealias Scalar = RecurrentLayer.Scalar
    /// One state per encoder layer.
    public typealias SequenceState = [RecurrentLayer.State]

    /// What a window's forward pass saves.
    public struct WindowCache {
        /// The shape of index input (`[T, batch]`) when there is an embedding.
        let indexInputShape: [Int]?
        let encoder: StackedRecurrent<RecurrentLayer>.Cache
        let head: Dense<Scalar>.Cache
        let headDropoutMask: Tensor<Scalar>?
        let timeSteps: Int
        let batchSize: Int
    }

    /// The embedding of index inputs (nil: inputs are feature vectors).
    public var embedding: Embedding<Scalar>?
    /// The recurrent encoder (always returns every step; the head picks the last when needed).
    public var encoder: StackedRecurrent<RecurrentLayer>
    /// The output layer.
    public var head: Dense<Scalar>
    /// Whether the head maps every step (`true`) or only the last (`false`).
    public var headOnEveryStep: Bool
    /// The dropout probability, in [0, 1), on the encoder output the head reads (training only).
    public var headDropoutRate: Double {
        get { headDropout.rate }
        set {
            precondition(newValue >= 0 && newValue < 1, "RecurrentNetwork: headDropoutRate must be in [0, 1), got \(newValue)")
            headDropout.rate = newValue
        }
    }
    private var headDropout: Dropout<Scalar>

    /// A model from its parts. The encoder must be time-major; it is set to return every step.
    /// `headDropoutRate` in [0, 1) drops the head's input features while training.
    public init(
        embedding: Embedding<Scalar>? = nil, encoder: StackedRecurrent<RecurrentLayer>, head: Dense<Scalar>, headOnEveryStep: Bool,
        headDropoutRate: Double = 0
    ) {
        precondition(!encoder.batchFirst, "RecurrentNetwork: the encoder must be time-major (batchFirst false)")
        if let embedding {
            precondition(
                embedding.dimension == encoder.inputSize,
                "RecurrentNetwork: embedding dimension \(embedding.dimension) differs from the encoder inputSize \(encoder.inputSize)")
        }
        precondition(
            head.inputSize == encoder.outputSize,
            "RecurrentNetwork: head inputSize \(head.inputSize) differs from the encoder outputSize \(encoder.outputSize)")
        var encoder = encoder
        encoder.returnsSequences = true
        self.embedding = embedding
        self.encoder = encoder
        self.head = head
        self.headOnEveryStep = headOnEveryStep
        headDropout = Dropout(rate: 0)
        self.headDropoutRate = headDropoutRate  // checked by the setter
    }

    /// Whether backward computes ∂L/∂input. A network trained on data can turn it off: the
    /// first recurrent layer then skips its input-gradient GEMM, and backward returns zeros. With
    /// an embedding front the encoder keeps computing it (the embedding's weights need it); the
    /// gradient with respect to the index input is zero either way.
    public var computesInputGradient: Bool {
        get { encoder.computesInputGradient }
        set { encoder.computesInputGradient = newValue || embedding != nil }
    }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        if let embedding { try embedding.visitParameters { try visitor(ParameterKey("embedding").appending($0), $1) } }
        try encoder.visitParameters { try visitor(ParameterKey("encoder").appending($0), $1) }
        try head.visitParameters { try visitor(ParameterKey("head").appending($0), $1) }
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        if embedding != nil { try embedding!.updateParameters { try visitor(ParameterKey("embedding").appending($0), &$1) } }
        try encoder.updateParameters { try visitor(ParameterKey("encoder").appending($0), &$1) }
        try head.updateParameters { try visitor(ParameterKey("head").appending($0), &$1) }
    }

    /// Whether the output has a time axis (``headOnEveryStep``).
    public var outputsSequence: Bool { headOnEveryStep }

    /// Every `weightHH` of the encoder, in layer order.
    public var recurrentWeightKeys: [ParameterKey] {
        var keys: [ParameterKey] = []
        encoder.visitParameters { key, _ in if key.name == "weightHH" { keys.append(ParameterKey("encoder").appending(key)) } }
        return keys
    }

    /// Each layer's first `weightHH` (the forward direction's for bidirectional layers).
    public var gradientFlowKeys: [ParameterKey] {
        encoder.layers.indices.compactMap { index in
            var first: ParameterKey?
            encoder.layers[index].visitParameters { key, _ in if first == nil, key.name == "weightHH" { first = key } }
            return first.map { ParameterKey("encoder.layer\(index)").appending($0) }
        }
    }

    /// Runs the sequence from zero states.
    public mutating func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: WindowCache) {
        let result = forward(input, initialState: nil, context: &context)
        return (result.output, result.cache)
    }

    /// Runs the sequence from `initialState` (one state per layer; zeros when nil).
    public func forward(
        _ input: Tensor<Scalar>, initialState: SequenceState?, context: inout ForwardContext
    ) -> (output: Tensor<Scalar>, finalState: SequenceState, cache: WindowCache) {
        let timeSteps = input.shape[0], batchSize = input.shape[1]
        let (outputs, finalStates, encoderCache): (Tensor<Scalar>, SequenceState, StackedRecurrent<RecurrentLayer>.Cache)
        if let embedding {
            precondition(input.rank == 2, "RecurrentNetwork.forward: index input has shape \(input.shape), expected [time, batch]")
            // The encoder reads the table rows itself: a built-in first layer never builds the
            // [T, batch, dimension] embedded sequence (see RecurrentSequenceLayer.forwardSequence(indices:table:…)).
            (outputs, finalStates, encoderCache) = encoder.forward(
                indices: embedding.indices(of: input), table: embedding.weight, timeSteps: timeSteps, batchSize: batchSize,
                initialStates: initialState, context: &context)
        } else {
            precondition(input.rank == 3, "RecurrentNetwork.forward: input has shape \(input.shape), expected [time, batch, inputSize]")
            (outputs, finalStates, encoderCache) = encoder.forward(input, initialStates: initialState, context: &context)
        }
        let (features, mask) = headDropout.forward(headOnEveryStep ? outputs : outputs[timeSteps - 1], context: &context)
        let (output, headCache) = head.forward(features, context: &context)
        return (
            output, finalStates,
            WindowCache(
                indexInputShape: embedding == nil ? nil : input.shape, encoder: encoderCache, head: headCache, headDropoutMask: mask, timeSteps: timeSteps,
                batchSize: batchSize)
        )
    }

    /// Backpropagates the full sequence.
    public func backward(_ outputGradient: Tensor<Scalar>, cache: WindowCache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        var context = SequenceBackwardContext()
        return backward(outputGradient, cache: cache, gradients: &gradients, context: &context)
    }

    /// Backpropagates one window through at most the context's truncation depth of every layer;
    /// a context that records gradient flow receives one profile per layer.
    public func backward(
        _ outputGradient: Tensor<Scalar>, cache: WindowCache, gradients: inout ParameterSet<Scalar>,
        context: inout SequenceBackwardContext
    ) -> Tensor<Scalar> {
        let featuresGradient = headDropout.backward(
            gradients.withScope("head") { head.backward(outputGradient, cache: cache.head, gradients: &$0) }, cache: cache.headDropoutMask,
            gradients: &gradients)
        let sequenceGradient = gradients.withScope("encoder") {
            if headOnEveryStep {
                return encoder.backward(
                    featuresGradient, finalStateGradients: nil, cache: cache.encoder, gradients: &$0,
                    context: &context
                ).inputGradient
            }
            // Only the last step has a gradient: it joins the top layer's carry (no zeros for the rest).
            return encoder.backward(
                lastOutputGradient: featuresGradient, finalStateGradients: nil, cache: cache.encoder, gradients: &$0,
                context: &context
            ).inputGradient
        }
        if let embedding, let indexInputShape = cache.indexInputShape {
            // With token input the encoder returns ∂L/∂(embedding table); indices have no gradient.
            gradients.withScope("embedding") { embedding.accumulate(tableGradient: sequenceGradient, into: &$0) }
            return .zeros(indexInputShape)
        }
        return sequenceGradient
    }
}

/// The recurrent cell of a ``RecurrentNetworkSpecification``.
public enum RecurrentCellKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Elman RNN, h = tanh(W x + U h + b).
    case rnnTanh
    /// Elman RNN with ReLU.
    case rnnReLU
    /// LSTM.
    case lstm
    /// GRU.
    case gru
}

/// A run-time description of a ``RecurrentNetwork`` (what the `keel` CLI parses), built into a
/// statically typed model by ``build(_:)``.
public struct RecurrentNetworkSpecification: Sendable, Hashable, Codable {
    /// The cell.
    public var cell: RecurrentCellKind
    /// Features per input step (ignored with an embedding: its dimension is the input size).
    public var inputSize: Int
    /// Hidden units per layer (and direction).
    public var hiddenSize: Int
    /// Stacked layers (≥ 1).
    public var layers: Int
    /// Dropout between layers while training.
    public var dropout: Double
    /// Dropout on the encoder output before the head while training (see
    /// ``RecurrentNetwork/headDropoutRate``); 0 when absent from a decoded file.
    public var headDropout: Double
    /// Whether every layer is bidirectional (outputs 2 × hidden).
    public var bidirectional: Bool
    /// Head outputs (1 for regression, the class count or vocabulary for classification).
    public var outputSize: Int
    /// Head on every step (copy task, char-LM) or the last step only.
    public var headOnEveryStep: Bool
    /// With `(vocabularySize, dimension)`, an embedding front for index inputs `[T, batch]`.
    public var embedding: EmbeddingSize?
    /// When set, every `weightHH` is re-initialized with `ScaledToSpectralRadius` of an
    /// `Orthogonal` matrix at this spectral radius; for gated cells (`[G·H, H]`) each gate's
    /// `[H, H]` block is drawn and scaled separately.
    public var recurrentSpectralRadius: Double?
    /// When set, replaces every layer's own initialization after the network is built (and so
    /// also the ``recurrentSpectralRadius`` draw); `nil` keeps each layer's default.
    public var weightInitialization: NetworkWeightInitialization?
    /// The seed of the initialization.
    public var seed: UInt64
    /// When set, every layer adds Pascanu et al.'s ∂Ω/∂W_hh to its recurrent-weight gradient
    /// (attached with `Recurrent.addGradientTerm(_:)`); RNN cells only.
    public var vanishingGradientRegularizer: VanishingGradientRegularizer?
    /// Whether the built network computes ∂L/∂input (see
    /// ``RecurrentNetwork/computesInputGradient``); `false` saves a GEMM per layer-0 backward when
    /// the input is data, as in every `Trainer` run.
    public var computesInputGradient = true

    /// The size of an embedding front.
    public struct EmbeddingSize: Sendable, Hashable, Codable {
        /// Valid indices are 0 ..< vocabularySize.
        public var vocabularySize: Int
        /// The vector length (the encoder's input size).
        public var dimension: Int

        /// An embedding size.
        public init(vocabularySize: Int, dimension: Int) {
            self.vocabularySize = vocabularySize
            self.dimension = dimension
        }
    }

    /// A specification; see the properties.
    public init(
        cell: RecurrentCellKind, inputSize: Int, hiddenSize: Int, layers: Int = 1, dropout: Double = 0, headDropout: Double = 0,
        bidirectional: Bool = false, outputSize: Int, headOnEveryStep: Bool = false, embedding: EmbeddingSize? = nil,
        recurrentSpectralRadius: Double? = nil, weightInitialization: NetworkWeightInitialization? = nil, seed: UInt64 = 0,
        vanishingGradientRegularizer: VanishingGradientRegularizer? = nil
    ) {
        precondition(layers >= 1, "RecurrentNetworkSpecification: layers \(layers) must be ≥ 1")
        precondition(hiddenSize >= 1 && outputSize >= 1, "RecurrentNetworkSpecification: sizes must be positive")
        precondition(headDropout >= 0 && headDropout < 1, "RecurrentNetworkSpecification: headDropout \(headDropout) must be in [0, 1)")
        precondition(
            vanishingGradientRegularizer == nil || cell == .rnnTanh || cell == .rnnReLU,
            "RecurrentNetworkSpecification: the vanishing-gradient regularizer applies to RNN cells, not \(cell)")
        self.cell = cell
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.dropout = dropout
        self.headDropout = headDropout
        self.bidirectional = bidirectional
        self.outputSize = outputSize
        self.headOnEveryStep = headOnEveryStep
        self.embedding = embedding
        self.recurrentSpectralRadius = recurrentSpectralRadius
        self.weightInitialization = weightInitialization
        self.seed = seed
        self.vanishingGradientRegularizer = vanishingGradientRegularizer
    }

    enum CodingKeys: String, CodingKey {
        case cell, inputSize, hiddenSize, layers, dropout, headDropout, bidirectional, outputSize, headOnEveryStep, embedding
        case recurrentSpectralRadius, weightInitialization, seed, computesInputGradient, vanishingGradientRegularizer
    }

    /// Decodes a specification; files written before ``headDropout`` existed decode it as 0, and
    /// an absent ``vanishingGradientRegularizer`` as none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cell = try container.decode(RecurrentCellKind.self, forKey: .cell)
        inputSize = try container.decode(Int.self, forKey: .inputSize)
        hiddenSize = try container.decode(Int.self, forKey: .hiddenSize)
        layers = try container.decode(Int.self, forKey: .layers)
        dropout = try container.decode(Double.self, forKey: .dropout)
        headDropout = try container.decodeIfPresent(Double.self, forKey: .headDropout) ?? 0
        bidirectional = try container.decode(Bool.self, forKey: .bidirectional)
        outputSize = try container.decode(Int.self, forKey: .outputSize)
        headOnEveryStep = try container.decode(Bool.self, forKey: .headOnEveryStep)
        embedding = try container.decodeIfPresent(EmbeddingSize.self, forKey: .embedding)
        recurrentSpectralRadius = try container.decodeIfPresent(Double.self, forKey: .recurrentSpectralRadius)
        weightInitialization = try container.decodeIfPresent(NetworkWeightInitialization.self, forKey: .weightInitialization)
        seed = try container.decode(UInt64.self, forKey: .seed)
        computesInputGradient = try container.decodeIfPresent(Bool.self, forKey: .computesInputGradient) ?? true
        vanishingGradientRegularizer = try container.decodeIfPresent(VanishingGradientRegularizer.self, forKey: .vanishingGradientRegularizer)
        guard vanishingGradientRegularizer == nil || cell == .rnnTanh || cell == .rnnReLU else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [CodingKeys.vanishingGradientRegularizer],
                debugDescription: "RecurrentNetworkSpecification: the vanishing-gradient regularizer applies to RNN cells, not \(cell)"))
        }
        guard layers >= 1, hiddenSize >= 1, outputSize >= 1, (0..<1).contains(dropout), (0..<1).contains(headDropout) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "RecurrentNetworkSpecification: layers \(layers), hiddenSize \(hiddenSize), outputSize \(outputSize) must be ≥ 1 and dropout \(dropout), headDropout \(headDropout) in [0, 1)"))
        }
    }

    /// Builds the model and hands it to `body` with its concrete type (so that the trainer built
    /// inside `body` is fully specialized), returning `body`'s result.
    public func build<Body: RecurrentNetworkBody>(_ body: Body) throws -> Body.Result {
        switch cell {
        case .rnnTanh: try build(body) { RNNCell<Body.Scalar>(inputSize: $0, hiddenSize: hiddenSize, nonlinearity: .tanh, using: &$1) }
        case .rnnReLU: try build(body) { RNNCell<Body.Scalar>(inputSize: $0, hiddenSize: hiddenSize, nonlinearity: .relu, using: &$1) }
        case .lstm: try build(body) { LSTMCell<Body.Scalar>(inputSize: $0, hiddenSize: hiddenSize, using: &$1) }
        case .gru: try build(body) { GRUCell<Body.Scalar>(inputSize: $0, hiddenSize: hiddenSize, using: &$1) }
        }
    }

    private func build<Body: RecurrentNetworkBody, C: Cell>(
        _ body: Body, makeCell: (Int, inout Xoshiro256StarStar) -> C
    ) throws -> Body.Result where C.Scalar == Body.Scalar, C.State: Sendable {
        var generator = Xoshiro256StarStar(seed: seed)
        let embeddingLayer = embedding.map {
            Embedding<Body.Scalar>(vocabularySize: $0.vocabularySize, dimension: $0.dimension, generator: &generator)
        }
        let firstInput = embedding?.dimension ?? inputSize
        let width = bidirectional ? 2 * hiddenSize : hiddenSize
        func cell(_ layer: Int) -> C {
            var made = makeCell(layer == 0 ? firstInput : width, &generator)
            if let radius = recurrentSpectralRadius {
                made.updateParameters { key, tensor in
                    if key.name == "weightHH" {
                        let hidden = tensor.shape[1], gates = tensor.shape[0] / hidden
                        let blocks: [Tensor<Body.Scalar>] = (0..<gates).map { _ in
                            ScaledToSpectralRadius(radius, base: Orthogonal()).makeTensor([hidden, hidden], generator: &generator)
                        }
                        tensor = gates == 1 ? blocks[0] : Tensor.concatenate(blocks)
                    }
                }
            }
            return made
        }
        if bidirectional {
            let layers = try (0..<layers).map {
                var layer = Bidirectional(forward: cell($0), backward: cell($0))
                if let vanishingGradientRegularizer {
                    try layer.forwardLayer.addGradientTerm(vanishingGradientRegularizer)
                    try layer.backwardLayer.addGradientTerm(vanishingGradientRegularizer)
                }
                return layer
            }
            let head = Dense<Body.Scalar>(inputSize: width, outputSize: outputSize, generator: &generator)
            var network = RecurrentNetwork(
                embedding: embeddingLayer, encoder: StackedRecurrent(layers, dropoutRate: dropout), head: head,
                headOnEveryStep: headOnEveryStep, headDropoutRate: headDropout)
            network.computesInputGradient = computesInputGradient
            weightInitialization?.apply(to: &network, seed: seed)
            return try body.run(network)
        } else {
            let cells = (0..<layers).map { cell($0) }
            let head = Dense<Body.Scalar>(inputSize: width, outputSize: outputSize, generator: &generator)
            var encoder = StackedRecurrent(cells: cells, dropoutRate: dropout)
            if let vanishingGradientRegularizer {
                for index in encoder.layers.indices { try encoder.layers[index].addGradientTerm(vanishingGradientRegularizer) }
            }
            var network = RecurrentNetwork(
                embedding: embeddingLayer, encoder: encoder, head: head,
                headOnEveryStep: headOnEveryStep, headDropoutRate: headDropout)
            network.computesInputGradient = computesInputGradient
            weightInitialization?.apply(to: &network, seed: seed)
            return try body.run(network)
        }
    }
}

/// A whole-network initialization that replaces the layers' own (see
/// ``RecurrentNetworkSpecification/weightInitialization``).
public enum NetworkWeightInitialization: Sendable, Hashable, Codable {
    /// Every weight matrix — the embedding, each layer's input weights `weightIH` and recurrent
    /// weights `weightHH` (all gate blocks), the head's `weight` — drawn i.i.d. from
    /// N(0, standardDeviation²); every bias (`biasIH`, `biasHH`, the head's `bias`, so also an
    /// LSTM's forget-gate bias) exactly 0. With standard deviation 0.1 on a tanh RNN this is
    /// Pascanu et al.'s "basic tanh" initialization.
    ///
    /// The draws come from a `Xoshiro256StarStar` derived from the specification's seed, in
    /// the network's parameter order, so a seed gives the same weights every time.
    ///
    /// ## References
    /// - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
    ///   networks", ICML 2013, §4 ("basic tanh": all weights N(0, 0.1), biases 0), and
    ///   `github.com/pascanur/trainingRNNs` (the number is a standard deviation).
    case normal(standardDeviation: Double)

    /// Applies the initialization to every parameter of `network`: keys whose last component
    /// starts with `bias` become zeros, every other parameter is drawn as the case describes.
    ///
    /// - Precondition: the standard deviation is finite and ≥ 0.
    public func apply<L: RecurrentSequenceLayer>(to network: inout RecurrentNetwork<L>, seed: UInt64) where L.State: Sendable {
        switch self {
        case .normal(let standardDeviation):
            precondition(
                standardDeviation.isFinite && standardDeviation >= 0,
                "NetworkWeightInitialization.normal: standardDeviation \(standardDeviation) must be finite and ≥ 0")
            var generator = Xoshiro256StarStar(seed: seed ^ 0x4E4F_524D_414C_2D57)  // "NORMAL-W": a stream apart from the layers' own draws
            let normal = Normal(standardDeviation: standardDeviation)
            network.updateParameters { key, tensor in
                tensor = key.name.hasPrefix("bias") ? .zeros(tensor.shape) : normal.makeTensor(tensor.shape, generator: &generator)
            }
        }
    }
}

/// What to do with a model built from a ``RecurrentNetworkSpecification``: a generic function
/// over the concrete layer type (Swift has no generic closures).
public protocol RecurrentNetworkBody {
    /// The element type of the model.
    associatedtype Scalar: TensorScalar
    /// What ``run(_:)`` returns.
    associatedtype Result
    /// Receives the built model.
    func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> Result where L.Scalar == Scalar, L.State: Sendable
}
