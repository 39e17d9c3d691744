import Foundation
import Testing
import KeelConformance
import KeelTrainer

/// Dropout on the encoder output before the head (``RecurrentNetwork/headDropoutRate``).
@Suite struct HeadDropoutTests {
    struct Network: RecurrentNetworkBody {
        typealias Scalar = Double
        func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> AnyLayerCheck where L.Scalar == Double, L.State: Sendable {
            AnyLayerCheck(model)
        }
    }

    /// Type-erases the built network so each test can run laws and forward passes on it.
    struct AnyLayerCheck {
        let laws: (ForwardContext.Mode, [Int]) throws -> Void
        let forward: (Tensor<Double>, ForwardContext.Mode, UInt64) -> Tensor<Double>

        init<M: Layer>(_ model: M) where M.Scalar == Double {
            laws = { mode, shape in try LayerConformance(model, name: "RecurrentNetwork", inputShape: shape, mode: mode).checkAll() }
            forward = { input, mode, seed in
                var copy = model
                var context = ForwardContext(mode: mode, seed: seed)
                return copy.forward(input, context: &context).output
            }
        }
    }

    static func network(headDropout: Double, everyStep: Bool, cell: RecurrentCellKind = .lstm) throws -> AnyLayerCheck {
        try RecurrentNetworkSpecification(
            cell: cell, inputSize: 3, hiddenSize: 5, layers: 2, dropout: 0.25, headDropout: headDropout, outputSize: 2,
            headOnEveryStep: everyStep, seed: 8
        ).build(Network())
    }

    @Test(arguments: [true, false])
    func gradientsMatchFiniteDifferencesWithTheSameMasks(everyStep: Bool) throws {
        // Training mode: every law runs with a fixed context seed, so the masks are the same in
        // each finite-difference evaluation; a backward that skipped the mask would fail.
        try Self.network(headDropout: 0.4, everyStep: everyStep).laws(.training, [4, 3, 3])
    }

    @Test func dropoutActsOnlyWhileTrainingAndDependsOnTheSeed() throws {
        var generator = Xoshiro256StarStar(seed: 2)
        let input = Tensor<Double>((0..<36).map { _ in generator.nextUnitDouble() - 0.5 }).reshaped(to: [4, 3, 3])
        let plain = try Self.network(headDropout: 0, everyStep: true), dropped = try Self.network(headDropout: 0.5, everyStep: true)
        // Inference: the identity, so the same weights give the same output.
        #expect(plain.forward(input, .inference, 1) == dropped.forward(input, .inference, 1))
        // Training: the same seed reproduces the output; head dropout changes it.
        let a = dropped.forward(input, .training, 1), b = dropped.forward(input, .training, 1)
        #expect(a == b)
        #expect(a != plain.forward(input, .training, 1))
        #expect(a != dropped.forward(input, .training, 2))
    }

    @Test func specificationsWrittenBeforeHeadDropoutStillDecode() throws {
        let specification = RecurrentNetworkSpecification(
            cell: .gru, inputSize: 2, hiddenSize: 4, layers: 2, dropout: 0.1, headDropout: 0.3, outputSize: 3, seed: 5)
        let encoded = try JSONEncoder().encode(specification)
        #expect(try JSONDecoder().decode(RecurrentNetworkSpecification.self, from: encoded) == specification)
        var object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        object.removeValue(forKey: "headDropout")
        let old = try JSONDecoder().decode(RecurrentNetworkSpecification.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.headDropout == 0)
        #expect(old.dropout == 0.1 && old.layers == 2 && old.cell == .gru)
        object["headDropout"] = 1.5
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RecurrentNetworkSpecification.self, from: JSONSerialization.data(withJSONObject: object))
        }
    }
}
