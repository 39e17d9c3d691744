/// A fully connected layer: y = x·Wᵀ + b.
///
/// **Shapes.** Input `[batch, inputSize]` or `[d₁, …, dₖ, inputSize]` (leading axes are flattened
/// into one batch axis, so `[time, batch, inputSize]` maps every time step at once with one GEMM);
/// output the same leading axes with `outputSize`. `weight` is `[outputSize, inputSize]` and `bias`
/// `[outputSize]`, as PyTorch's `nn.Linear`.
///
/// **Backward.** ∂L/∂W += ∂L/∂yᵀ·x, ∂L/∂b += Σ_rows ∂L/∂y, ∂L/∂x = ∂L/∂y·W.
///
/// Parameter keys: `weight`, and `bias` when the layer has one.
public struct Dense<Scalar: TensorScalar>: Layer, BufferContainer {
    /// The weight matrix `[outputSize, inputSize]`.
    public var weight: Tensor<Scalar>
    /// The bias `[outputSize]`, or `nil` for a layer without bias.
    public var bias: Tensor<Scalar>?

    /// The width of the input's last axis.
    public var inputSize: Int { weight.shape[1] }
    /// The width of the output's last axis.
    public var outputSize: Int { weight.shape[0] }

    /// A layer with the given weight `[outputSize, inputSize]` and optional bias `[outputSize]`.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil) {
        precondition(weight.rank == 2, "Dense: weight must be a matrix [outputSize, inputSize], got shape \(weight.shape)")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "Dense: bias shape \(bias.shape) does not match weight shape \(weight.shape) (expected [\(weight.shape[0])])")
        }
        self.weight = weight
        self.bias = bias
    }

    /// A layer with freshly initialized parameters: by default Glorot-uniform weights and zero
    /// biases.
    public init<G: RandomNumberGenerator>(
        inputSize: Int, outputSize: Int, useBias: Bool = true,
        weightInitializer: some Initializer = GlorotUniform(), biasInitializer: some Initializer = Zeros(),
        generator: inout G
    ) {
        precondition(inputSize > 0 && outputSize > 0, "Dense: sizes must be positive, got inputSize \(inputSize), outputSize \(outputSize)")
        self.init(
            weight: weightInitializer.makeTensor([outputSize, inputSize], generator: &generator),
            bias: useBias ? biasInitializer.makeTensor([outputSize], generator: &generator) : nil)
    }

    public func visitParameters(_ visitor: (ParameterKey, Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("weight", weight)
        if let bias { try visitor("bias", bias) }
    }

    public mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Scalar>) throws -> Void) rethrows {
        try visitor("weight", &weight)
        if bias != nil { try visitor("bias", &bias!) }
    }

    /// The flattened input `[rows, inputSize]` and the input's shape.
    public struct Cache: Sendable {
        var input: Tensor<Scalar>
        var inputShape: [Int]
    }

    public func forward(_ input: Tensor<Scalar>, context: inout ForwardContext) -> (output: Tensor<Scalar>, cache: Cache) {
        precondition(
            input.rank >= 1 && input.shape[input.rank - 1] == inputSize,
            "Dense: input shape \(input.shape) does not end in the layer's inputSize \(inputSize) (weight shape \(weight.shape))")
        let rows = input.reshaped(to: [-1, inputSize])
        var output = rows.matmul(weight, transposeB: true)
        if let bias { output += bias }
        return (output.reshaped(to: Array(input.shape.dropLast()) + [outputSize]), Cache(input: rows, inputShape: input.shape))
    }

    public func backward(_ outputGradient: Tensor<Scalar>, cache: Cache, gradients: inout ParameterSet<Scalar>) -> Tensor<Scalar> {
        let expected = Array(cache.inputShape.dropLast()) + [outputSize]
        precondition(outputGradient.shape == expected, "Dense.backward: output gradient shape \(outputGradient.shape) differs from the output shape \(expected)")
        let rows = outputGradient.reshaped(to: [-1, outputSize])
        gradients.accumulate("weight") { $0.addMatrixProduct(rows, cache.input, transposeA: true) }
        if bias != nil { gradients.accumulate("bias") { $0 += rows.sum(alongAxis: 0) } }
        return rows.matmul(weight).reshaped(to: cache.inputShape)
    }
}
