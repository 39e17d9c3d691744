/// The laws every recurrent `Cell` keeps.
public enum CellLaw: String, ConformanceLaw {
    /// `zeroState(batchSize:)` gives all-zero tensors of shape `[batchSize, hiddenSize]` (the
    /// Swift for TensorFlow GRU ignored the batch size).
    case zeroStateShape
    /// `backwardStep` matches central finite differences in `Double` for the input, every state
    /// tensor and every parameter.
    case backwardMatchesFiniteDifferences
    /// `Recurrent` over a sequence (forward and backward, fused path included) equals stepping
    /// the cell by hand.
    case unrolledEqualsManualSteps
    /// Parameter keys are unique, and the same (with the same shapes) across visits, copies and
    /// `updateParameters`.
    case parameterKeysUniqueAndStable
    /// 1,000 steps on inputs in [−1, 1] from the zero state stay finite.
    case finiteOverLongSequences

    public var summary: String {
        switch self {
        case .zeroStateShape: "zeroState(batchSize:) has shape [batch, hiddenSize] and is zero"
        case .backwardMatchesFiniteDifferences: "backward matches central finite differences"
        case .unrolledEqualsManualSteps: "Recurrent equals manual steps, forward and backward"
        case .parameterKeysUniqueAndStable: "parameter keys are unique and stable"
        case .finiteOverLongSequences: "no NaN or ∞ over 1,000 steps"
        }
    }
}

/// Checks the ``CellLaw``s for one cell, in `Double`.
///
/// ```swift
/// @Test(arguments: CellLaw.allCases)
/// func myCell(law: CellLaw) throws {
///     try CellConformance(MyCell<Double>(inputSize: 3, hiddenSize: 4, seed: 1)).check(law)
/// }
/// ```
public struct CellConformance<Candidate: Cell>: Sendable
where Candidate.Scalar == Double, Candidate.State: CellStateTensors<Double> {
    /// The cell under test (keep it small: 3 inputs and 4 hidden units check every path).
    public var cell: Candidate
    /// Its name in failures.
    public var name: String
    /// The seed of inputs, states and output gradients.
    public var seed: UInt64
    /// The batch size of the checks (finite differences also run with batch 1 first).
    public var batchSize: Int
    /// The sequence length of ``CellLaw/unrolledEqualsManualSteps``.
    public var sequenceLength: Int
    /// The number of steps of ``CellLaw/finiteOverLongSequences``.
    public var longSequenceLength: Int
    /// The finite-difference step h.
    public var finiteDifferenceStep: Double
    /// The relative tolerance of the finite-difference comparison.
    public var tolerance: Double

    /// A suite for `cell`.
    ///
    /// - Parameters:
    ///   - cell: The cell under test (3 inputs and 4 hidden units check every path).
    ///   - name: Its name in failures (default: its type name).
    ///   - seed: The seed of inputs, states and output gradients (default `0x5EED`).
    ///   - batchSize: The batch size of the checks (default 2).
    ///   - sequenceLength: The length of ``CellLaw/unrolledEqualsManualSteps`` (default 5).
    ///   - longSequenceLength: The steps of ``CellLaw/finiteOverLongSequences`` (default 1000).
    ///   - finiteDifferenceStep: The finite-difference step h (default 10⁻⁶).
    ///   - tolerance: The relative tolerance of the finite-difference comparison (default 10⁻⁵).
    public init(
        _ cell: Candidate, name: String? = nil, seed: UInt64 = 0x5EED, batchSize: Int = 2, sequenceLength: Int = 5,
        longSequenceLength: Int = 1000, finiteDifferenceStep: Double = 1e-6, tolerance: Double = 1e-5
    ) {
        self.cell = cell
        self.name = name ?? componentName(cell)
        self.seed = seed
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.longSequenceLength = longSequenceLength
        self.finiteDifferenceStep = finiteDifferenceStep
        self.tolerance = tolerance
    }

    /// Checks one law; throws a ``ConformanceFailure`` when it does not hold.
    public func check(_ law: CellLaw) throws {
        try runLaw(law, component: name, seed: seed) {
            switch law {
            case .zeroStateShape: try checkZeroState()
            case .backwardMatchesFiniteDifferences: try checkFiniteDifferences()
            case .unrolledEqualsManualSteps: try checkUnrolled()
            case .parameterKeysUniqueAndStable: try checkParameterKeys(of: cell)
            case .finiteOverLongSequences: try checkLongSequence()
            }
        }
    }

    /// Checks every law, throwing the first failure.
    public func checkAll() throws {
        for law in CellLaw.allCases { try check(law) }
    }

    /// Every law's result, for summaries.
    public func results() -> [LawResult] {
        collectResults(CellLaw.allCases, component: name, check)
    }

    // MARK: Laws

    func checkZeroState() throws {
        for batch in [1, 3, 7] {
            let tensors = cell.zeroState(batchSize: batch).conformanceTensors
            guard !tensors.isEmpty else { throw Violation("zeroState(batchSize: \(batch)) has no tensors") }
            for (index, tensor) in tensors.enumerated() {
                guard tensor.shape == [batch, cell.hiddenSize] else {
                    throw Violation(
                        "zeroState(batchSize: \(batch)) tensor \(index) has shape \(tensor.shape), expected [\(batch), \(cell.hiddenSize)]",
                        sample: "batchSize \(batch)")
                }
                guard tensor.scalars.allSatisfy({ $0 == 0 }) else {
                    throw Violation("zeroState(batchSize: \(batch)) tensor \(index) is not all zeros", sample: "batchSize \(batch)")
                }
            }
        }
    }

    func randomState(batch: Int, generator: inout Xoshiro256StarStar) -> Candidate.State {
        let count = cell.zeroState(batchSize: batch).conformanceTensors.count
        return Candidate.State(conformanceTensors: (0..<count).map { _ in
            Tensor<Double>(randomUniform: [batch, cell.hiddenSize], lowerBound: -0.8, upperBound: 0.8, using: &generator)
        })
    }

    func checkFiniteDifferences() throws {
        // Batch 1 first: the smallest failing sample.
        for batch in Set([1, batchSize]).sorted() {
            if let problem = finiteDifferenceMismatch(batch: batch) {
                throw Violation(problem, sample: "batch \(batch), inputSize \(cell.inputSize), hiddenSize \(cell.hiddenSize), seed \(seed)")
            }
        }
    }

    func finiteDifferenceMismatch(batch: Int) -> String? {
        var generator = Xoshiro256StarStar(seed: seed)
        let input = Tensor<Double>(randomUniform: [batch, cell.inputSize], lowerBound: -1, upperBound: 1, using: &generator)
        let state = randomState(batch: batch, generator: &generator)
        let outputGradient = Tensor<Double>(randomNormal: [batch, cell.hiddenSize], using: &generator)
        let stateGradients = state.conformanceTensors.map { Tensor<Double>(randomNormal: $0.shape, using: &generator) }

        func loss(_ cell: Candidate, _ input: Tensor<Double>, _ state: Candidate.State) -> Double {
            let (output, next, _) = cell.step(input, state: state)
            return dot(output, outputGradient) + zip(next.conformanceTensors, stateGradients).reduce(0) { $0 + dot($1.0, $1.1) }
        }

        let (_, _, cache) = cell.step(input, state: state)
        var gradients = cell.parameters.zerosLike()
        let (inputGradient, stateGradient) = cell.backwardStep(
            outputGradient: outputGradient, stateGradient: Candidate.State(conformanceTensors: stateGradients), cache: cache,
            gradients: &gradients)
        let h = finiteDifferenceStep

        func compare(_ analytic: Double, _ numeric: Double, _ what: String) -> String? {
            let scale = Swift.max(Swift.abs(analytic), Swift.abs(numeric), 1)
            return Swift.abs(analytic - numeric) <= tolerance * scale ? nil
                : "∂L/∂\(what): backward gives \(analytic), central differences give \(numeric)"
        }

        for index in 0..<input.scalarCount {
            let numeric = (loss(cell, perturbed(input, index, h), state) - loss(cell, perturbed(input, index, -h), state)) / (2 * h)
            if let problem = compare(inputGradient.scalars[index], numeric, "input[\(index)]") { return problem }
        }
        let stateTensors = state.conformanceTensors
        for (tensorIndex, tensor) in stateTensors.enumerated() {
            for index in 0..<tensor.scalarCount {
                func shifted(_ delta: Double) -> Candidate.State {
                    var tensors = stateTensors
                    tensors[tensorIndex] = perturbed(tensor, index, delta)
                    return Candidate.State(conformanceTensors: tensors)
                }
                let numeric = (loss(cell, input, shifted(h)) - loss(cell, input, shifted(-h))) / (2 * h)
                let analytic = stateGradient.conformanceTensors[tensorIndex].scalars[index]
                if let problem = compare(analytic, numeric, "state\(tensorIndex)[\(index)]") { return problem }
            }
        }
        let parameters = cell.parameters
        for (key, tensor) in zip(parameters.keys, parameters.tensors) {
            guard let gradient = gradients.tensor(for: key) else { return "backward left no gradient for \(key)" }
            for index in 0..<tensor.scalarCount {
                func shifted(_ delta: Double) -> Candidate {
                    var copy = cell
                    copy.updateParameters { visited, value in if visited == key { value = perturbed(value, index, delta) } }
                    return copy
                }
                let numeric = (loss(shifted(h), input, state) - loss(shifted(-h), input, state)) / (2 * h)
                if let problem = compare(gradient.scalars[index], numeric, "\(key)[\(index)]") { return problem }
            }
        }
        return nil
    }

    func checkUnrolled() throws {
        var generator = Xoshiro256StarStar(seed: seed &+ 1)
        let sequence = Tensor<Double>(
            randomUniform: [sequenceLength, batchSize, cell.inputSize], lowerBound: -1, upperBound: 1, using: &generator)
        let initial = randomState(batch: batchSize, generator: &generator)
        let outputsGradient = Tensor<Double>(randomNormal: [sequenceLength, batchSize, cell.hiddenSize], using: &generator)
        let finalGradients = initial.conformanceTensors.map { Tensor<Double>(randomNormal: $0.shape, using: &generator) }

        // By hand.
        var state = initial
        var outputs: [Tensor<Double>] = []
        var caches: [Candidate.StepCache] = []
        for t in 0..<sequenceLength {
            let (output, next, cache) = cell.step(sequence[t], state: state)
            outputs.append(output)
            caches.append(cache)
            state = next
        }
        var manualGradients = cell.parameters.zerosLike()
        var stateGradient = Candidate.State(conformanceTensors: finalGradients)
        var inputGradients = Array(repeating: Tensor<Double>.zeros([batchSize, cell.inputSize]), count: sequenceLength)
        for t in (0..<sequenceLength).reversed() {
            let result = cell.backwardStep(
                outputGradient: outputsGradient[t], stateGradient: stateGradient, cache: caches[t], gradients: &manualGradients)
            inputGradients[t] = result.inputGradient
            stateGradient = result.stateGradient
        }

        // Through Recurrent.
        let layer = Recurrent(cell: cell)
        var context = ForwardContext(mode: .training, seed: seed)
        let forward = layer.forward(sequence, initialState: initial, context: &context)
        var layerGradients = cell.parameters.zerosLike()
        var profile: [Double]?
        let backward = layer.backward(
            outputsGradient, finalStateGradient: Candidate.State(conformanceTensors: finalGradients), cache: forward.cache,
            gradients: &layerGradients, profile: &profile)

        let sample = "sequence [\(sequenceLength), \(batchSize), \(cell.inputSize)], seed \(seed &+ 1)"
        func same(_ a: Tensor<Double>, _ b: Tensor<Double>, _ what: String) throws {
            let set = { (tensor: Tensor<Double>) in ParameterSet<Double>([(ParameterKey("value"), tensor)]) }
            if let difference = firstApproximateDifference(set(a), set(b), relative: 1e-9, absolute: 1e-12) {
                throw Violation("\(what): Recurrent and manual steps differ: \(difference)", sample: sample)
            }
        }
        try same(forward.output, Tensor.stack(outputs), "outputs")
        for (a, b) in zip(forward.finalState.conformanceTensors, state.conformanceTensors) { try same(a, b, "final state") }
        try same(backward.inputGradient, Tensor.stack(inputGradients), "input gradients")
        for (a, b) in zip(backward.initialStateGradient.conformanceTensors, stateGradient.conformanceTensors) {
            try same(a, b, "initial-state gradient")
        }
        if let difference = firstApproximateDifference(layerGradients, manualGradients, relative: 1e-9, absolute: 1e-12) {
            throw Violation("parameter gradients: Recurrent and manual steps differ: \(difference)", sample: sample)
        }
    }

    func checkLongSequence() throws {
        var generator = Xoshiro256StarStar(seed: seed &+ 2)
        var state = cell.zeroState(batchSize: batchSize)
        for t in 0..<longSequenceLength {
            let input = Tensor<Double>(randomUniform: [batchSize, cell.inputSize], lowerBound: -1, upperBound: 1, using: &generator)
            let (output, next, _) = cell.step(input, state: state)
            state = next
            if output.nonFiniteCount > 0 || next.conformanceTensors.contains(where: { $0.nonFiniteCount > 0 }) {
                throw Violation(
                    "step \(t + 1) of \(longSequenceLength) produced NaN or ±∞ from the zero state on inputs in [−1, 1]",
                    sample: "batch \(batchSize), seed \(seed &+ 2), \(t + 1) steps")
            }
        }
    }
}

/// Keys unique, stable across visits and copies, and visited alike by `updateParameters`.
func checkParameterKeys<Container: ParameterContainer>(of container: Container) throws {
    var keys: [ParameterKey] = []
    var shapes: [[Int]] = []
    container.visitParameters { key, tensor in
        keys.append(key)
        shapes.append(tensor.shape)
    }
    var seen = Set<ParameterKey>()
    for key in keys where !seen.insert(key).inserted {
        throw Violation("the key \(key) is visited twice", sample: "keys \(keys.map(\.rawValue))")
    }
    var again: [ParameterKey] = []
    container.visitParameters { key, _ in again.append(key) }
    guard again == keys else { throw Violation("a second visit gives other keys: \(keys.map(\.rawValue)) then \(again.map(\.rawValue))") }
    let copy = container
    guard copy.parameters.keys == keys else { throw Violation("a copy gives other keys") }
    var mutable = container
    var updated: [ParameterKey] = []
    var updatedShapes: [[Int]] = []
    mutable.updateParameters { key, tensor in
        updated.append(key)
        updatedShapes.append(tensor.shape)
    }
    guard updated == keys, updatedShapes == shapes else {
        throw Violation(
            "updateParameters visits \(zip(updated, updatedShapes).map { "\($0) \($1)" }) but visitParameters "
                + "\(zip(keys, shapes).map { "\($0) \($1)" })")
    }
}

func dot(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
    zip(a.scalars, b.scalars).reduce(0) { $0 + $1.0 * $1.1 }
}

func perturbed(_ tensor: Tensor<Double>, _ index: Int, _ delta: Double) -> Tensor<Double> {
    var scalars = tensor.scalars
    scalars[index] += delta
    return Tensor(shape: tensor.shape, scalars: scalars)
}
