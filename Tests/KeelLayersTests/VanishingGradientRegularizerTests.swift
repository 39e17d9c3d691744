import Foundation
import Testing
import KeelLayers

/// Pascanu et al.'s regularizer against `Reference/vanishing_regularizer_reference.py`: an
/// independent NumPy BPTT (checked against finite differences of the loss) and ∂Ω/∂W_hh by
/// finite differences of Ω with the gradients frozen, so the fixture does not share Keel's
/// analytic formula.
@Suite struct VanishingGradientRegularizerTests {
    struct Case: Decodable {
        let name, cell: String
        let T, B, I, H, depth: Int
        let alpha: Double
        let lastOnly: Bool
        let parameters: [String: StoredTensor]
        let input, initialHidden, outputWeights, finalStateWeights, delta: StoredTensor
        let omega: Double
        let omegaGradient: StoredTensor
        let parameterGradients: [String: StoredTensor]
    }

    struct Fixture: Decodable { let cases: [Case] }

    static let cases: [Case] = try! JSONDecoder().decode(Fixture.self, from: layersFixture("vanishing_regularizer_reference.json")).cases

    static func close<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>, _ tolerance: S) -> Bool {
        a.isApproximatelyEqual(to: b, relativeTolerance: tolerance, absoluteTolerance: tolerance)
    }

    func layer<S: TensorScalar>(_ testCase: Case, _: S.Type, weight: Double?) -> Recurrent<RNNCell<S>> {
        let p = testCase.parameters
        let cell = RNNCell<S>(
            weightIH: p["weightIH"]!.tensor(), weightHH: p["weightHH"]!.tensor(), biasIH: p["biasIH"]!.tensor(),
            biasHH: p["biasHH"]!.tensor(), nonlinearity: testCase.cell == "rnn_tanh" ? .tanh : .relu)
        var layer = Recurrent(cell: cell, returnsSequences: !testCase.lastOnly)
        if let weight { try! layer.addGradientTerm(VanishingGradientRegularizer(weight: weight)) }
        return layer
    }

    func gradients<S: TensorScalar>(_ testCase: Case, _ layer: Recurrent<RNNCell<S>>) -> ParameterSet<S> {
        var context = ForwardContext(mode: .training)
        let (_, _, cache) = layer.forward(testCase.input.tensor(), initialState: testCase.initialHidden.tensor(), context: &context)
        var gradients = layer.parameters.zerosLike()
        var backwardContext = SequenceBackwardContext(truncationDepth: testCase.depth)
        _ = layer.backward(
            testCase.outputWeights.tensor(), finalStateGradient: testCase.finalStateWeights.tensor(), cache: cache,
            gradients: &gradients, context: &backwardContext)
        return gradients
    }

    func checkLayer<S: TensorScalar>(_: S.Type, tolerance: S) {
        for testCase in Self.cases {
            let computed = gradients(testCase, layer(testCase, S.self, weight: testCase.alpha))
            for (key, expected) in testCase.parameterGradients {
                #expect(
                    Self.close(computed[ParameterKey(key)], expected.tensor(), tolerance),
                    "\(testCase.name): ∂L/∂\(key) + α∂Ω/∂\(key)")
            }
        }
    }

    @Test func fixtureCoversTheCases() {
        #expect(Set(Self.cases.map(\.cell)) == ["rnn_tanh", "rnn_relu"])
        #expect(Self.cases.contains { $0.lastOnly })
        #expect(Self.cases.contains { $0.depth < $0.T })
        #expect(Self.cases.contains { $0.name.contains("silent") })
    }

    @Test func layerGradientsAgreeWithNumPyInDouble() { checkLayer(Double.self, tolerance: 1e-8) }

    @Test func layerGradientsAgreeWithNumPyInFloat() { checkLayer(Float.self, tolerance: 2e-4) }

    /// Ω itself and ∂Ω/∂W_hh from the stored δ, ∂L/∂y and ∂L/∂h_T.
    @Test func penaltyAgreesWithNumPy() {
        for testCase in Self.cases {
            let finalGradient: Tensor<Double> = testCase.lastOnly
                ? testCase.finalStateWeights.tensor() + testCase.outputWeights.tensor()
                : testCase.finalStateWeights.tensor()
            let penalty = VanishingGradientRegularizer(weight: 1).penalty(
                preactivationGradients: testCase.delta.tensor(),
                outputGradients: testCase.lastOnly ? nil : testCase.outputWeights.tensor(),
                finalStateGradient: finalGradient, weightHH: testCase.parameters["weightHH"]!.tensor())
            #expect(abs(penalty.value - testCase.omega) <= 1e-12 * max(1, testCase.omega), "\(testCase.name): Ω")
            #expect(Self.close(penalty.weightHHGradient, testCase.omegaGradient.tensor(), 1e-8), "\(testCase.name): ∂Ω/∂W_hh")
        }
    }

    /// The regularizer touches only ∂L/∂W_hh, and weight 0 leaves every gradient bit-identical.
    @Test func changesOnlyTheRecurrentWeightGradient() {
        for testCase in Self.cases {
            let plain = gradients(testCase, layer(testCase, Double.self, weight: nil))
            let zero = gradients(testCase, layer(testCase, Double.self, weight: 0))
            let regularized = gradients(testCase, layer(testCase, Double.self, weight: testCase.alpha))
            for key in plain.keys {
                #expect(zero[key] == plain[key], "\(testCase.name): weight 0 changed ∂L/∂\(key)")
                if key.rawValue == "weightHH" {
                    #expect(regularized[key] != plain[key], "\(testCase.name): the regularizer left ∂L/∂W_hh unchanged")
                } else {
                    #expect(regularized[key] == plain[key], "\(testCase.name): the regularizer changed ∂L/∂\(key)")
                }
            }
        }
    }

    /// A Jacobian that preserves every norm (W_hh = I with a linear-like regime is not available,
    /// so use Ω's definition directly): δ whose passed-back gradient has the norm of g gives Ω = 0.
    @Test func normPreservingFlowHasZeroPenalty() {
        // W_hh orthogonal (a rotation) and δ = g: |δW| = |g|, so every s = 1.
        let angle = 0.3
        let rotation = Tensor<Double>(shape: [2, 2], scalars: [cos(angle), -sin(angle), sin(angle), cos(angle)])
        let final = Tensor<Double>(shape: [1, 2], scalars: [0.6, -0.8])
        // Two steps: g₁ = final; δ₁ = g₁ (φ′ = 1); g₀ = δ₁W; δ₀ = g₀.
        let delta1 = final
        let delta0 = delta1.matmul(rotation)
        let penalty = VanishingGradientRegularizer(weight: 1).penalty(
            preactivationGradients: Tensor.concatenate([delta0, delta1]), outputGradients: nil, finalStateGradient: final,
            weightHH: rotation)
        #expect(abs(penalty.value) < 1e-15)
        #expect(penalty.weightHHGradient.isApproximatelyEqual(to: .zeros([2, 2]), relativeTolerance: 0, absoluteTolerance: 1e-15))
    }

    /// Pairs whose ‖∂L/∂hₜ‖² is below the bound leave Ω and its gradient: a bound above every
    /// pair's gives zero, and one between the silent row's 0 and the rest changes nothing.
    @Test func boundLeavesOutWeakPairs() {
        let testCase = Self.cases[0]
        func penalty(bound: Double) -> (value: Double, weightHHGradient: Tensor<Double>) {
            VanishingGradientRegularizer(weight: 1, bound: bound).penalty(
                preactivationGradients: testCase.delta.tensor(), outputGradients: testCase.outputWeights.tensor(),
                finalStateGradient: testCase.finalStateWeights.tensor(), weightHH: testCase.parameters["weightHH"]!.tensor())
        }
        let all = penalty(bound: 1e6)
        #expect(all.value == 0 && all.weightHHGradient == .zeros([testCase.H, testCase.H]))
        let tiny = penalty(bound: 1e-30), standard = penalty(bound: 1e-20)
        #expect(tiny.value == standard.value && tiny.weightHHGradient == standard.weightHHGradient)
        let some = penalty(bound: 0.5)
        #expect(some.value != standard.value, "a bound of 0.5 should drop some of the case's pairs")
    }
}

/// Gradient terms attach through `Recurrent.addGradientTerm(_:)`, which checks the cell's kernel.
@Suite struct GradientTermAttachmentTests {
    @Test func pascanuRegularizerAttachesToRNNCellsOnly() throws {
        var generator = Xoshiro256StarStar(seed: 3)
        var rnn = Recurrent(cell: RNNCell<Double>(inputSize: 2, hiddenSize: 3, nonlinearity: .relu, using: &generator))
        try rnn.addGradientTerm(VanishingGradientRegularizer(weight: 1))
        #expect(rnn.gradientTerms.count == 1)
        var lstm = Recurrent(cell: LSTMCell<Double>(inputSize: 2, hiddenSize: 3, using: &generator))
        #expect(throws: RecurrentGradientTermError.self) { try lstm.addGradientTerm(VanishingGradientRegularizer(weight: 1)) }
        #expect(lstm.gradientTerms.isEmpty)
        var gru = Recurrent(cell: GRUCell<Double>(inputSize: 2, hiddenSize: 3, using: &generator))
        #expect(throws: RecurrentGradientTermError.self) { try gru.addGradientTerm(VanishingGradientRegularizer(weight: 1)) }
    }
}
