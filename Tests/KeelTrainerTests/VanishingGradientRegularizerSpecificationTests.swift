import Foundation
import Testing
import KeelTrainer

/// ``RecurrentNetworkSpecification/vanishingGradientRegularizer``: it reaches every layer of the
/// built network, changes only the recurrent-weight gradients, and is saved with the model.
@Suite struct VanishingGradientRegularizerSpecificationTests {
    /// The parameter gradients of one forward/backward pass of the built network.
    struct Gradients: RecurrentNetworkBody {
        typealias Scalar = Double
        let input: Tensor<Double>
        func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> ParameterSet<Double> where L.Scalar == Double, L.State: Sendable {
            var model = model
            var context = ForwardContext(mode: .training, seed: 1)
            let (output, cache) = model.forward(input, context: &context)
            var gradients = model.parameters.zerosLike()
            _ = model.backward(output, cache: cache, gradients: &gradients)  // L = ½‖y‖²
            return gradients
        }
    }

    static func specification(_ regularizer: VanishingGradientRegularizer?, bidirectional: Bool = false) -> RecurrentNetworkSpecification {
        RecurrentNetworkSpecification(
            cell: .rnnTanh, inputSize: 3, hiddenSize: 6, layers: 2, bidirectional: bidirectional, outputSize: 2,
            headOnEveryStep: true, seed: 4, vanishingGradientRegularizer: regularizer)
    }

    @Test(arguments: [false, true])
    func everyRecurrentWeightGradientChangesAndNothingElse(bidirectional: Bool) throws {
        var generator = Xoshiro256StarStar(seed: 9)
        let input = Tensor<Double>((0..<60).map { _ in generator.nextUnitDouble() * 2 - 1 }).reshaped(to: [5, 4, 3])
        let plain = try Self.specification(nil, bidirectional: bidirectional).build(Gradients(input: input))
        let regularized = try Self.specification(.init(weight: 2), bidirectional: bidirectional).build(Gradients(input: input))
        let recurrent = plain.keys.filter { $0.name == "weightHH" }
        #expect(recurrent.count == (bidirectional ? 4 : 2))
        for key in plain.keys {
            if key.name == "weightHH" {
                #expect(regularized[key] != plain[key], "\(key): unchanged")
            } else {
                #expect(regularized[key] == plain[key], "\(key): changed")
            }
        }
    }

    @Test func savedWithTheSpecificationAndCheckedWhenDecoded() throws {
        let specification = Self.specification(.init(weight: 0.5, bound: 1e-12))
        let encoded = try JSONEncoder().encode(specification)
        #expect(try JSONDecoder().decode(RecurrentNetworkSpecification.self, from: encoded) == specification)
        var object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        object.removeValue(forKey: "vanishingGradientRegularizer")
        let old = try JSONDecoder().decode(RecurrentNetworkSpecification.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.vanishingGradientRegularizer == nil)
        object["vanishingGradientRegularizer"] = ["weight": -1]
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RecurrentNetworkSpecification.self, from: JSONSerialization.data(withJSONObject: object))
        }
        object["vanishingGradientRegularizer"] = ["weight": 1]
        object["cell"] = "lstm"
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RecurrentNetworkSpecification.self, from: JSONSerialization.data(withJSONObject: object))
        }
    }
}
