import KeelConformance

/// A reference tanh cell with one defect, each breaking one CellLaw.
struct DefectiveCell: Cell {
    enum Defect: Sendable {
        /// zeroState ignores the batch size (the Swift for TensorFlow GRU bug).
        case ignoresBatchSize
        /// backward doubles the gradient flowing to the previous state.
        case wrongStateGradient
        /// a step counter outside the state shifts every output.
        case hiddenStepCounter
        /// the input weight is visited twice.
        case duplicateKey
        /// hₜ = 3·hₜ₋₁ + tanh(…): grows without bound.
        case explodes
    }

    typealias Scalar = Double
    typealias State = Tensor<Double>
    typealias StepCache = ReferenceTanhCell<Double>.StepCache

    var base = ReferenceTanhCell<Double>(inputSize: 3, hiddenSize: 4, seed: 1)
    var defect: Defect
    let counter = HiddenCounter()

    var inputSize: Int { base.inputSize }
    var hiddenSize: Int { base.hiddenSize }

    func visitParameters(_ visitor: (ParameterKey, Tensor<Double>) throws -> Void) rethrows {
        try base.visitParameters(visitor)
        if defect == .duplicateKey { try visitor("weightIH", base.weightIH) }
    }

    mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Double>) throws -> Void) rethrows {
        try base.updateParameters(visitor)
    }

    func zeroState(batchSize: Int) -> Tensor<Double> {
        defect == .ignoresBatchSize ? .zeros([1, hiddenSize]) : base.zeroState(batchSize: batchSize)
    }

    func step(_ input: Tensor<Double>, state: Tensor<Double>) -> (output: Tensor<Double>, state: Tensor<Double>, cache: StepCache) {
        var (output, next, cache) = base.step(input, state: state)
        switch defect {
        case .hiddenStepCounter:
            output = output + Double(counter.next()) * 1e-3
            next = output
        case .explodes:
            output = state * 3 + output
            next = output
        default: break
        }
        return (output, next, cache)
    }

    func backwardStep(
        outputGradient: Tensor<Double>, stateGradient: Tensor<Double>, cache: StepCache, gradients: inout ParameterSet<Double>
    ) -> (inputGradient: Tensor<Double>, stateGradient: Tensor<Double>) {
        let result = base.backwardStep(outputGradient: outputGradient, stateGradient: stateGradient, cache: cache, gradients: &gradients)
        return defect == .wrongStateGradient ? (result.inputGradient, result.stateGradient * 2) : result
    }
}

/// An affine layer y = x·Wᵀ + b with an optional defect.
struct DefectiveAffine: Layer {
    enum Defect: Sendable { case none, halfBiasGradient, duplicateKey }
    typealias Scalar = Double
    typealias Cache = Tensor<Double>

    var weight: Tensor<Double>
    var bias: Tensor<Double>
    var defect: Defect

    init(defect: Defect) {
        var generator = Xoshiro256StarStar(seed: 3)
        weight = Tensor(randomNormal: [2, 3], using: &generator)
        bias = Tensor(randomNormal: [2], using: &generator)
        self.defect = defect
    }

    func visitParameters(_ visitor: (ParameterKey, Tensor<Double>) throws -> Void) rethrows {
        try visitor("weight", weight)
        try visitor(defect == .duplicateKey ? "weight" : "bias", bias)
    }

    mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Double>) throws -> Void) rethrows {
        try visitor("weight", &weight)
        try visitor(defect == .duplicateKey ? "weight" : "bias", &bias)
    }

    mutating func forward(_ input: Tensor<Double>, context: inout ForwardContext) -> (output: Tensor<Double>, cache: Tensor<Double>) {
        (input.matmul(weight, transposeB: true) + bias, input)
    }

    func backward(_ outputGradient: Tensor<Double>, cache: Tensor<Double>, gradients: inout ParameterSet<Double>) -> Tensor<Double> {
        gradients.addGradient(outputGradient.matmul(cache, transposeA: true), for: "weight")
        let biasGradient = outputGradient.sum(alongAxis: 0)
        gradients.addGradient(defect == .halfBiasGradient ? biasGradient * 0.5 : biasGradient, for: "bias")
        return outputGradient.matmul(weight)
    }
}
