import Foundation

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
    /// At initialisation, the spectral radius ρ of the recurrent Jacobian ∂hₜ/∂hₜ₋₁ (every state
    /// tensor, batch 1), taken over sampled states and inputs, is at most the bound the cell
    /// declares (``CellConformance/jacobianBound``): a cell that starts with ρ > 1 amplifies
    /// gradients through time. The measured ρ is reported in the summary; without a declared
    /// bound the law is "not verified".
    case recurrentJacobianAtInitialisation

    public var summary: String {
        switch self {
        case .zeroStateShape: "zeroState(batchSize:) has shape [batch, hiddenSize] and is zero"
        case .backwardMatchesFiniteDifferences: "backward matches central finite differences"
        case .unrolledEqualsManualSteps: "Recurrent equals manual steps, forward and backward"
        case .parameterKeysUniqueAndStable: "parameter keys are unique and stable"
        case .finiteOverLongSequences: "no NaN or ∞ over 1,000 steps"
        case .recurrentJacobianAtInitialisation: "the recurrent Jacobian's spectral radius at initialisation is within the declared bound"
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
where Candidate.Scalar == Double, Candidate.State: RecurrentHiddenState<Double> {
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
    /// The largest spectral radius of ∂hₜ/∂hₜ₋₁ the cell declares at initialisation (nil: not
    /// declared, and ``CellLaw/recurrentJacobianAtInitialisation`` is "not verified").
    public var jacobianBound: Double?

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
    ///   - jacobianBound: The largest spectral radius of the recurrent Jacobian at initialisation
    ///     the cell promises (1 for a cell meant to neither explode nor vanish at the start).
    public init(
        _ cell: Candidate, name: String? = nil, seed: UInt64 = 0x5EED, batchSize: Int = 2, sequenceLength: Int = 5,
        longSequenceLength: Int = 1000, finiteDifferenceStep: Double = 1e-6, tolerance: Double = 1e-5, jacobianBound: Double? = nil
    ) {
        self.jacobianBound = jacobianBound
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
        try evaluate(law).throwIfFailed()
    }

    /// One law's result: passed, failed, not applicable or not verified (logged for
    /// `check-conformance`).
    public func evaluate(_ law: CellLaw) -> LawResult {
        evaluateLaw(law, component: name, seed: seed) {
            // Reading `parameters` of a container with duplicate keys traps: fail cleanly instead.
            if law != .parameterKeysUniqueAndStable { try requireUniqueKeys(cell) }
            switch law {
            case .zeroStateShape: try checkZeroState()
            case .backwardMatchesFiniteDifferences: try checkFiniteDifferences()
            case .unrolledEqualsManualSteps: try checkUnrolled()
            case .parameterKeysUniqueAndStable: try checkParameterKeys(of: cell)
            case .finiteOverLongSequences: try checkLongSequence()
            case .recurrentJacobianAtInitialisation: try checkJacobian()
            }
        }
    }

    /// Checks every law, throwing the first failure.
    public func checkAll() throws {
        for law in CellLaw.allCases { try check(law) }
    }

    /// Every law's result, for summaries.
    public func results() -> [LawResult] {
        CellLaw.allCases.map(evaluate)
    }

    // MARK: Laws

    func checkZeroState() throws {
        for batch in [1, 3, 7] {
            let tensors = cell.zeroState(batchSize: batch).stateTensors
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

    func randomState(batch: Int, generator: inout Xoshiro256StarStar, bound: Double = 0.8) -> Candidate.State {
        let count = cell.zeroState(batchSize: batch).stateTensors.count
        return Candidate.State(stateTensors: (0..<count).map { _ in
            Tensor<Double>(randomUniform: [batch, cell.hiddenSize], lowerBound: -bound, upperBound: bound, using: &generator)
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
        let stateGradients = state.stateTensors.map { Tensor<Double>(randomNormal: $0.shape, using: &generator) }

        func loss(_ cell: Candidate, _ input: Tensor<Double>, _ state: Candidate.State) -> Double {
            let (output, next, _) = cell.step(input, state: state)
            return dot(output, outputGradient) + zip(next.stateTensors, stateGradients).reduce(0) { $0 + dot($1.0, $1.1) }
        }

        let (_, _, cache) = cell.step(input, state: state)
        var gradients = cell.parameters.zerosLike()
        let (inputGradient, stateGradient) = cell.backwardStep(
            outputGradient: outputGradient, stateGradient: Candidate.State(stateTensors: stateGradients), cache: cache,
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
        let stateTensors = state.stateTensors
        for (tensorIndex, tensor) in stateTensors.enumerated() {
            for index in 0..<tensor.scalarCount {
                func shifted(_ delta: Double) -> Candidate.State {
                    var tensors = stateTensors
                    tensors[tensorIndex] = perturbed(tensor, index, delta)
                    return Candidate.State(stateTensors: tensors)
                }
                let numeric = (loss(cell, input, shifted(h)) - loss(cell, input, shifted(-h))) / (2 * h)
                let analytic = stateGradient.stateTensors[tensorIndex].scalars[index]
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
        let finalGradients = initial.stateTensors.map { Tensor<Double>(randomNormal: $0.shape, using: &generator) }

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
        var stateGradient = Candidate.State(stateTensors: finalGradients)
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
        var backwardContext = SequenceBackwardContext()
        let backward = layer.backward(
            outputsGradient, finalStateGradient: Candidate.State(stateTensors: finalGradients), cache: forward.cache,
            gradients: &layerGradients, context: &backwardContext)

        let sample = "sequence [\(sequenceLength), \(batchSize), \(cell.inputSize)], seed \(seed &+ 1)"
        func same(_ a: Tensor<Double>, _ b: Tensor<Double>, _ what: String) throws {
            let set = { (tensor: Tensor<Double>) in ParameterSet<Double>([(ParameterKey("value"), tensor)]) }
            if let difference = firstApproximateDifference(set(a), set(b), relative: 1e-9, absolute: 1e-12) {
                throw Violation("\(what): Recurrent and manual steps differ: \(difference)", sample: sample)
            }
        }
        try same(forward.output, Tensor.stack(outputs), "outputs")
        for (a, b) in zip(forward.finalState.stateTensors, state.stateTensors) { try same(a, b, "final state") }
        try same(backward.inputGradient, Tensor.stack(inputGradients), "input gradients")
        for (a, b) in zip(backward.initialStateGradient.stateTensors, stateGradient.stateTensors) {
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
            if output.nonFiniteCount > 0 || next.stateTensors.contains(where: { $0.nonFiniteCount > 0 }) {
                throw Violation(
                    "step \(t + 1) of \(longSequenceLength) produced NaN or ±∞ from the zero state on inputs in [−1, 1]",
                    sample: "batch \(batchSize), seed \(seed &+ 2), \(t + 1) steps")
            }
        }
    }
}

extension CellConformance {
    /// ∂(next state)/∂(previous state) for batch 1 at `state` and `input`, row-major n×n over the
    /// concatenated state tensors (rows from backward passes: Jᵀeᵢ is row i).
    func recurrentJacobian(input: Tensor<Double>, state: Candidate.State) -> [[Double]] {
        let (_, next, cache) = cell.step(input, state: state)
        let shapes = next.stateTensors.map(\.shape)
        let sizes = shapes.map { $0.reduce(1, *) }
        let n = sizes.reduce(0, +)
        var rows: [[Double]] = []
        for i in 0..<n {
            var offset = i
            let tensors = zip(shapes, sizes).map { shape, size -> Tensor<Double> in
                var scalars = [Double](repeating: 0, count: size)
                if offset >= 0 && offset < size { scalars[offset] = 1 }
                offset -= size
                return Tensor(shape: shape, scalars: scalars)
            }
            var gradients = cell.parameters.zerosLike()
            let (_, previous) = cell.backwardStep(
                outputGradient: .zeros([1, cell.hiddenSize]), stateGradient: Candidate.State(stateTensors: tensors), cache: cache,
                gradients: &gradients)
            rows.append(previous.stateTensors.flatMap(\.scalars))
        }
        return rows
    }

    func checkJacobian() throws {
        var generator = Xoshiro256StarStar(seed: seed &+ 3)
        var largest = 0.0
        var worst = ""
        for sample in 0..<12 {
            let input: Tensor<Double> = sample == 0 ? .zeros([1, cell.inputSize])
                : Tensor(randomUniform: [1, cell.inputSize], lowerBound: -1, upperBound: 1, using: &generator)
            let state: Candidate.State = sample < 4 ? cell.zeroState(batchSize: 1) : randomState(batch: 1, generator: &generator, bound: 0.5)
            let radius = spectralRadius(recurrentJacobian(input: input, state: state))
            if radius > largest || !radius.isFinite {
                largest = radius
                worst = sample < 4 ? "the zero state" + (sample == 0 ? " and a zero input" : "") : "a random state in [−0.5, 0.5]"
            }
        }
        let measured = "ρ = \(String(format: "%.4g", largest)) at \(worst)"
        guard let bound = jacobianBound else {
            throw LawEnding.notVerified("no jacobianBound declared; \(measured)")
        }
        guard largest.isFinite, largest <= bound * (1 + 1e-3) else {
            throw Violation(
                "the recurrent Jacobian at initialisation has spectral radius \(largest) > the declared bound \(bound) (at \(worst))",
                sample: "batch 1, seed \(seed &+ 3)")
        }
        throw LawEnding.passed(note: "\(measured) ≤ \(bound)")
    }
}

/// The spectral radius of a square matrix by Gelfand's formula, ρ = lim ‖Aᵏ‖^(1/k), with k = 2¹²
/// reached by repeated squaring with normalisation (relative error about n^(1/8192)).
func spectralRadius(_ matrix: [[Double]]) -> Double {
    let n = matrix.count
    guard n > 0 else { return 0 }
    func frobenius(_ a: [[Double]]) -> Double { a.reduce(0) { $0 + $1.reduce(0) { $0 + $1 * $1 } }.squareRoot() }
    var norm = frobenius(matrix)
    guard norm > 0, norm.isFinite else { return norm }
    var current = matrix.map { $0.map { $0 / norm } }
    var logScale = Foundation.log(norm)
    var power = 1.0
    for _ in 0..<12 {
        var square = Array(repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for k in 0..<n where current[i][k] != 0 {
                let a = current[i][k]
                for j in 0..<n { square[i][j] += a * current[k][j] }
            }
        }
        norm = frobenius(square)
        guard norm > 0 else { return 0 }  // nilpotent
        current = square.map { $0.map { $0 / norm } }
        logScale = 2 * logScale + Foundation.log(norm)
        power *= 2
    }
    return Foundation.exp(logScale / power)
}

/// Throws when `container` visits a key twice (before anything reads its `parameters`).
func requireUniqueKeys<Container: ParameterContainer>(_ container: Container) throws {
    var seen = Set<ParameterKey>()
    var duplicate: ParameterKey?
    container.visitParameters { key, _ in if !seen.insert(key).inserted { duplicate = duplicate ?? key } }
    if let duplicate { throw Violation("the key \(duplicate) is visited twice (see parameterKeysUniqueAndStable)") }
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
