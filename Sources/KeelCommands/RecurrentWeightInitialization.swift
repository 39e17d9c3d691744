import Foundation
import KeelCore
import KeelData
import KeelLayers
import KeelMonitors
import KeelOptimizers
import KeelTrainer
import KeelReport

/// Overwrites the recurrent weights W_hh (every gate block) with the `--init-recurrent` choice
/// (`default` and `orthogonal` are applied by the network specification instead).
enum RecurrentWeightInitialization {
    static func apply<L: RecurrentSequenceLayer>(_ choice: RecurrentInitializerChoice, to model: inout RecurrentNetwork<L>, seed: UInt64) where L.Scalar == Float {
        switch choice {
        case .default, .orthogonal: return
        case .glorot, .identity: break
        }
        var generator = Xoshiro256StarStar(seed: seed &+ 0x5EED)
        model.updateParameters { key, tensor in
            guard key.name == "weightHH" else { return }
            let hidden = tensor.shape[1], gates = tensor.shape[0] / hidden
            let blocks: [Tensor<Float>] = (0..<gates).map { _ in
                choice == .identity
                    ? ScaledIdentity().makeTensor([hidden, hidden], generator: &generator)
                    : GlorotUniform().makeTensor([hidden, hidden], generator: &generator)
            }
            tensor = gates == 1 ? blocks[0] : Tensor.concatenate(blocks)
        }
    }
}
