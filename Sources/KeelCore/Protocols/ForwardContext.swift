/// What a forward pass needs besides its input: training or inference mode, and the random
/// generator that stochastic layers (dropout) draw from.
///
/// A `Trainer` owns one context and passes it to every forward pass, so a run is deterministic
/// given its seed and the generator's state can be checkpointed.
public struct ForwardContext: Sendable {
    /// Whether layers behave as in training (batch statistics, dropout on) or inference.
    public enum Mode: Sendable, Codable, Hashable {
        case training
        case inference
    }

    /// The mode of this pass.
    public var mode: Mode
    /// The generator stochastic layers draw from, in a fixed order.
    public var generator: Xoshiro256StarStar

    /// A context in `mode` with a generator seeded by `seed`.
    public init(mode: Mode, seed: UInt64 = 0) {
        self.mode = mode
        self.generator = Xoshiro256StarStar(seed: seed)
    }

    /// A context in `mode` drawing from `generator`.
    public init(mode: Mode, generator: Xoshiro256StarStar) {
        self.mode = mode
        self.generator = generator
    }

    /// Whether the pass is a training pass.
    public var isTraining: Bool { mode == .training }
}
