import Foundation
import KeelCore
import KeelData
import KeelTrainer

/// `keel sample`: rebuilds a character-level model from a `keel train --text` checkpoint
/// (`model.json`, `vocabulary.json`, `weights.safetensors`) and generates text.
public struct TextSampler {
    /// The checkpoint directory of a `keel train --text` run.
    public var checkpoint: String
    /// The number of characters to generate after the prime (≥ 0).
    public var length: Int
    /// τ > 0: logits are divided by τ before sampling; below 1 sharpens, above 1 flattens.
    public var temperature: Double
    /// The seed of the sampling generator: the same seed gives the same text.
    public var seed: UInt64
    /// Text fed to the model before sampling starts, and returned first; every character must be in
    /// the vocabulary.
    public var prime: String

    /// A sampler for `checkpoint` generating `length` characters (default 200) at `temperature`
    /// (default 0.8) after `prime` (default empty). Values are checked by ``generate()``.
    public init(checkpoint: String, length: Int = 200, temperature: Double = 0.8, seed: UInt64 = 0, prime: String = "") {
        self.checkpoint = checkpoint
        self.length = length
        self.temperature = temperature
        self.seed = seed
        self.prime = prime
    }

    /// The prime text followed by `length` generated characters.
    ///
    /// - Throws: ``CommandError`` naming the missing or mismatched file.
    public func generate() throws -> String {
        guard length >= 0, length <= 100_000_000 else { throw CommandError("--length must be in 0 ... 100000000 (got \(length))") }
        guard temperature > 0, temperature.isFinite else { throw CommandError("--temperature must be > 0 (got \(temperature))") }
        let checkpoint = try CharacterCheckpoint(directory: self.checkpoint, command: "keel sample")
        let (model, vocabulary, weights, weightsPath) = (checkpoint.model, checkpoint.vocabulary, checkpoint.weights, checkpoint.weightsPath)
        var primed: [Int] = []
        for (offset, scalar) in prime.unicodeScalars.enumerated() {
            guard let index = vocabulary.index(of: scalar) else {
                throw CommandError("--prime: character '\(scalar)' at offset \(offset) is not in the model's vocabulary")
            }
            primed.append(index)
        }
        let generated = try model.specification.build(
            SamplingBody(weights: weights, weightsPath: weightsPath, primed: primed, length: length, temperature: temperature, seed: seed))
        return prime + vocabulary.decode(generated)
    }

    struct SamplingBody: RecurrentNetworkBody {
        typealias Scalar = Float
        let weights: SafeTensorsFile
        let weightsPath: String
        let primed: [Int]
        let length: Int
        let temperature: Double
        let seed: UInt64

        func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> [Int] where L.Scalar == Float, L.State: Sendable {
            var model = model
            try CharacterCheckpoint.loadWeights(into: &model, from: weights, path: weightsPath)
            var context = ForwardContext(mode: .inference, seed: seed)
            var generator = Xoshiro256StarStar(seed: seed)
            var state: RecurrentNetwork<L>.SequenceState? = nil
            var next = primed.last ?? Int.random(in: 0..<model.head.outputSize, using: &generator)
            if primed.count > 1 {
                let input = Tensor<Float>(shape: [primed.count - 1, 1], scalars: primed.dropLast().map(Float.init))
                state = model.forward(input, initialState: nil, context: &context).finalState
            }
            var output: [Int] = primed.isEmpty ? [next] : []
            while output.count < length {
                let input = Tensor<Float>(shape: [1, 1], scalars: [Float(next)])
                let result = model.forward(input, initialState: state, context: &context)
                state = result.finalState
                let logits = result.output.scalars.map { Double($0) / temperature }
                let maximum = logits.max() ?? 0
                let weights = logits.map { Foundation.exp($0 - maximum) }
                var threshold = Double.random(in: 0..<1, using: &generator) * weights.reduce(0, +)
                next = weights.count - 1
                for (index, weight) in weights.enumerated() {
                    threshold -= weight
                    if threshold < 0 { next = index; break }
                }
                output.append(next)
            }
            return Array(output.prefix(length))
        }
    }
}
