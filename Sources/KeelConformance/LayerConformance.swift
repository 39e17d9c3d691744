/// The laws every `Layer` keeps.
public enum LayerLaw: String, ConformanceLaw {
    /// `backward` matches central finite differences in `Double` for the input and every
    /// parameter (in the suite's mode; stochastic layers draw from a fixed seed every time).
    case backwardMatchesFiniteDifferences
    /// Parameter keys are unique, and the same (with the same shapes) across visits, copies and
    /// `updateParameters`.
    case parameterKeysUniqueAndStable

    public var summary: String {
        switch self {
        case .backwardMatchesFiniteDifferences: "backward matches central finite differences"
        case .parameterKeysUniqueAndStable: "parameter keys are unique and stable"
        }
    }
}

/// Checks the ``LayerLaw``s for one layer, in `Double`.
///
/// ```swift
/// @Test(arguments: LayerLaw.allCases)
/// func dense(law: LayerLaw) throws {
///     try LayerConformance(Dense<Double>(inputSize: 3, outputSize: 2, seed: 1), inputShape: [4, 3]).check(law)
/// }
/// ```
public struct LayerConformance<Candidate: Layer>: Sendable where Candidate.Scalar == Double {
    /// The layer under test.
    public var layer: Candidate
    /// Its name in failures.
    public var name: String
    /// The shape of the input the checks feed.
    public var inputShape: [Int]
    /// Training (batch statistics, dropout) or inference.
    public var mode: ForwardContext.Mode
    /// Whether ∂L/∂input is checked (false for layers whose input is indices, like `Embedding`).
    public var checksInputGradient: Bool
    /// Makes the input; uniform in [−1, 1] by default.
    public var makeInput: @Sendable ([Int], inout Xoshiro256StarStar) -> Tensor<Double>
    /// The seed of inputs, output gradients and the forward context.
    public var seed: UInt64
    /// The finite-difference step h.
    public var finiteDifferenceStep: Double
    /// The relative tolerance of the finite-difference comparison.
    public var tolerance: Double

    /// A suite for `layer` fed inputs of `inputShape`.
    ///
    /// - Parameters:
    ///   - layer: The layer under test.
    ///   - name: Its name in failures (default: its type name).
    ///   - inputShape: The shape of the inputs the checks feed.
    ///   - mode: Training (default) or inference forward passes.
    ///   - checksInputGradient: Whether ∂L/∂input is checked (default `true`; `false` for index inputs).
    ///   - seed: The seed of inputs, output gradients and the forward context (default `0x5EED`).
    ///   - finiteDifferenceStep: The finite-difference step h (default 10⁻⁶).
    ///   - tolerance: The relative tolerance of the finite-difference comparison (default 10⁻⁵).
    ///   - makeInput: Makes an input of a shape; uniform in [−1, 1] by default.
    public init(
        _ layer: Candidate, name: String? = nil, inputShape: [Int], mode: ForwardContext.Mode = .training,
        checksInputGradient: Bool = true, seed: UInt64 = 0x5EED, finiteDifferenceStep: Double = 1e-6, tolerance: Double = 1e-5,
        makeInput: @escaping @Sendable ([Int], inout Xoshiro256StarStar) -> Tensor<Double> = {
            Tensor(randomUniform: $0, lowerBound: -1, upperBound: 1, using: &$1)
        }
    ) {
        self.layer = layer
        self.name = name ?? componentName(layer)
        self.inputShape = inputShape
        self.mode = mode
        self.checksInputGradient = checksInputGradient
        self.makeInput = makeInput
        self.seed = seed
        self.finiteDifferenceStep = finiteDifferenceStep
        self.tolerance = tolerance
    }

    /// Checks one law; throws a ``ConformanceFailure`` when it does not hold.
    public func check(_ law: LayerLaw) throws {
        try evaluate(law).throwIfFailed()
    }

    /// One law's result: passed, failed, not applicable or not verified (logged for
    /// `check-conformance`).
    public func evaluate(_ law: LayerLaw) -> LawResult {
        evaluateLaw(law, component: name, seed: seed) {
            // Reading `parameters` of a container with duplicate keys traps: fail cleanly instead.
            if law != .parameterKeysUniqueAndStable { try requireUniqueKeys(layer) }
            switch law {
            case .backwardMatchesFiniteDifferences: try checkFiniteDifferences()
            case .parameterKeysUniqueAndStable: try checkParameterKeys(of: layer)
            }
        }
    }

    /// Checks every law, throwing the first failure.
    public func checkAll() throws {
        for law in LayerLaw.allCases { try check(law) }
    }

    /// Every law's result, for summaries.
    public func results() -> [LawResult] {
        LayerLaw.allCases.map(evaluate)
    }

    func forward(_ layer: Candidate, _ input: Tensor<Double>) -> (output: Tensor<Double>, cache: Candidate.Cache) {
        var copy = layer
        var context = ForwardContext(mode: mode, seed: seed)
        return copy.forward(input, context: &context)
    }

    func checkFiniteDifferences() throws {
        var generator = Xoshiro256StarStar(seed: seed)
        let input = makeInput(inputShape, &generator)
        let (output, cache) = forward(layer, input)
        let outputGradient = Tensor<Double>(randomNormal: output.shape, using: &generator)
        var gradients = layer.parameters.zerosLike()
        let inputGradient = layer.backward(outputGradient, cache: cache, gradients: &gradients)
        let h = finiteDifferenceStep
        let sample = "input \(inputShape), output \(output.shape), mode \(mode), seed \(seed)"

        func loss(_ layer: Candidate, _ input: Tensor<Double>) -> Double { dot(forward(layer, input).output, outputGradient) }
        func compare(_ analytic: Double, _ numeric: Double, _ what: String) throws {
            let scale = Swift.max(Swift.abs(analytic), Swift.abs(numeric), 1)
            guard Swift.abs(analytic - numeric) <= tolerance * scale else {
                throw Violation("∂L/∂\(what): backward gives \(analytic), central differences give \(numeric)", sample: sample)
            }
        }

        if checksInputGradient {
            guard inputGradient.shape == input.shape else {
                throw Violation("the input gradient has shape \(inputGradient.shape), the input \(input.shape)", sample: sample)
            }
            for index in 0..<input.scalarCount {
                let numeric = (loss(layer, perturbed(input, index, h)) - loss(layer, perturbed(input, index, -h))) / (2 * h)
                try compare(inputGradient.scalars[index], numeric, "input[\(index)]")
            }
        }
        let parameters = layer.parameters
        for (key, tensor) in zip(parameters.keys, parameters.tensors) {
            guard let gradient = gradients.tensor(for: key) else { throw Violation("backward left no gradient for \(key)", sample: sample) }
            for index in 0..<tensor.scalarCount {
                func shifted(_ delta: Double) -> Candidate {
                    var copy = layer
                    copy.updateParameters { visited, value in if visited == key { value = perturbed(value, index, delta) } }
                    return copy
                }
                let numeric = (loss(shifted(h), input) - loss(shifted(-h), input)) / (2 * h)
                try compare(gradient.scalars[index], numeric, "\(key)[\(index)]")
            }
        }
    }
}
