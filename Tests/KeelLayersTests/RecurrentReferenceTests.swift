import Foundation
import Testing
import KeelLayers

/// Forward outputs, final states and every gradient of two-layer RNN/LSTM/GRU stacks
/// (unidirectional and bidirectional) against `Reference/recurrent_reference.py`, an independent
/// NumPy implementation of PyTorch's documented equations whose BPTT is itself checked against
/// finite differences.
@Suite struct RecurrentReferenceTests {
    struct Case: Decodable {
        let name, cell: String
        let layers: Int
        let bidirectional: Bool
        let T, B, I, H: Int
        let parameters: [String: StoredTensor]
        let input: StoredTensor
        let initialStates: [StoredTensor]
        let outputWeights: StoredTensor
        let finalStateWeights: [StoredTensor]
        let output: StoredTensor
        let finalStates: [StoredTensor]
        let inputGradient: StoredTensor
        let initialStateGradients: [StoredTensor]
        let parameterGradients: [String: StoredTensor]
    }

    struct Fixture: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Reference/recurrent_reference.json")
        let data = try! Data(contentsOf: url)
        return try! JSONDecoder().decode(Fixture.self, from: data).cases
    }()

    static func close<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>, tolerance: S) -> Bool {
        a.isApproximatelyEqual(to: b, relativeTolerance: tolerance, absoluteTolerance: tolerance)
    }

    /// Builds the stack from the fixture, runs forward and backward, compares everything.
    func check<S: TensorScalar, L: RecurrentSequenceLayer>(
        _ testCase: Case, _: S.Type, tolerance: S,
        makeLayer: (_ prefix: String, _ direction: String?) -> L,
        stateTensors: @escaping ([L.State]) -> [Tensor<S>], makeStates: ([Tensor<S>]) -> [L.State]
    ) where L.Scalar == S {
        let layers = (0..<testCase.layers).map { makeLayer("layer\($0).", nil) }
        let stack = StackedRecurrent(layers)
        #expect(Set(stack.parameters.keys.map(\.rawValue)) == Set(testCase.parameters.keys), "\(testCase.name): keys")
        var context = ForwardContext(mode: .training)
        let (output, finals, cache) = stack.forward(
            testCase.input.tensor(), initialStates: makeStates(testCase.initialStates.map { $0.tensor() }), context: &context)
        #expect(Self.close(output, testCase.output.tensor(), tolerance: tolerance), "\(testCase.name): output")
        for (actual, expected) in zip(stateTensors(finals), testCase.finalStates) {
            #expect(Self.close(actual, expected.tensor(), tolerance: tolerance), "\(testCase.name): final state")
        }
        var gradients = stack.parameters.zerosLike()
        var backwardContext = SequenceBackwardContext()
        let (inputGradient, stateGradients) = stack.backward(
            testCase.outputWeights.tensor(), finalStateGradients: makeStates(testCase.finalStateWeights.map { $0.tensor() }),
            cache: cache, gradients: &gradients, context: &backwardContext)
        #expect(Self.close(inputGradient, testCase.inputGradient.tensor(), tolerance: tolerance), "\(testCase.name): ∂L/∂x")
        let initial = stateTensors(stateGradients)
        #expect(initial.count == testCase.initialStateGradients.count)
        for (actual, expected) in zip(initial, testCase.initialStateGradients) {
            #expect(Self.close(actual, expected.tensor(), tolerance: tolerance), "\(testCase.name): ∂L/∂s₀")
        }
        for (key, expected) in testCase.parameterGradients {
            #expect(
                Self.close(gradients[ParameterKey(key)], expected.tensor(), tolerance: tolerance),
                "\(testCase.name): ∂L/∂\(key)")
        }
    }

    func check<S: TensorScalar, C: GatedRecurrentCell>(
        _ testCase: Case, _: S.Type, tolerance: S, makeCell: (Tensor<S>, Tensor<S>, Tensor<S>, Tensor<S>) -> C,
        makeState: @escaping ([Tensor<S>]) -> C.State
    ) where C.Scalar == S {
        func cell(_ prefix: String) -> C {
            makeCell(
                testCase.parameters[prefix + "weightIH"]!.tensor(), testCase.parameters[prefix + "weightHH"]!.tensor(),
                testCase.parameters[prefix + "biasIH"]!.tensor(), testCase.parameters[prefix + "biasHH"]!.tensor())
        }
        let count = testCase.cell == "lstm" ? 2 : 1
        func states(_ tensors: [Tensor<S>]) -> [C.State] {
            stride(from: 0, to: tensors.count, by: count).map { makeState(Array(tensors[$0..<($0 + count)])) }
        }
        for fused in [true, false] {
            if testCase.bidirectional {
                check(
                    testCase, S.self, tolerance: tolerance,
                    makeLayer: { prefix, _ in
                        Bidirectional(forward: cell(prefix + "forward."), backward: cell(prefix + "backward."), usesFusedPath: fused)
                    },
                    stateTensors: { $0.flatMap { $0.forward.stateTensors + $0.backward.stateTensors } },
                    makeStates: { tensors in
                        let perDirection = states(tensors)
                        return stride(from: 0, to: perDirection.count, by: 2).map {
                            BidirectionalState(forward: perDirection[$0], backward: perDirection[$0 + 1])
                        }
                    })
            } else {
                check(
                    testCase, S.self, tolerance: tolerance,
                    makeLayer: { prefix, _ in Recurrent(cell: cell(prefix), usesFusedPath: fused) },
                    stateTensors: { $0.flatMap(\.stateTensors) }, makeStates: states)
            }
        }
    }

    func check<S: TensorScalar>(_ testCase: Case, _: S.Type, tolerance: S) {
        switch testCase.cell {
        case "lstm":
            check(testCase, S.self, tolerance: tolerance, makeCell: { LSTMCell(weightIH: $0, weightHH: $1, biasIH: $2, biasHH: $3) }) {
                LSTMState(hidden: $0[0], cell: $0[1])
            }
        case "gru":
            check(testCase, S.self, tolerance: tolerance, makeCell: { GRUCell(weightIH: $0, weightHH: $1, biasIH: $2, biasHH: $3) }) { $0[0] }
        case "rnn_tanh", "rnn_relu":
            let nonlinearity: RNNCell<S>.Nonlinearity = testCase.cell == "rnn_tanh" ? .tanh : .relu
            check(testCase, S.self, tolerance: tolerance, makeCell: {
                RNNCell(weightIH: $0, weightHH: $1, biasIH: $2, biasHH: $3, nonlinearity: nonlinearity)
            }) { $0[0] }
        default:
            Issue.record("unknown cell \(testCase.cell)")
        }
    }

    @Test func fixtureCoversEveryCell() {
        #expect(Set(Self.cases.map(\.cell)) == ["lstm", "gru", "rnn_tanh", "rnn_relu"])
        #expect(Self.cases.allSatisfy { $0.layers >= 2 && $0.T >= 5 && $0.B >= 3 })
        #expect(Self.cases.contains { $0.bidirectional })
    }

    @Test func floatAgreesWithNumPyReference() {
        for testCase in Self.cases { check(testCase, Float.self, tolerance: 1e-5) }
    }

    @Test func doubleAgreesWithNumPyReference() {
        for testCase in Self.cases { check(testCase, Double.self, tolerance: 1e-12) }
    }
}
