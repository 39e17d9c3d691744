import Foundation
import Testing
import KeelLayers

/// Forward + backward time of one recurrent layer at the shapes of peers.md configs A, B, D, E.
/// Opt-in (`KEEL_BENCH=1 swift test -c release --filter RecurrentBenchmarkTests`); speed is
/// measured by benchmarks, not asserted by tests.
@Suite struct RecurrentBenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["KEEL_BENCH"] == "1"

    func measure<C: GatedRecurrentCell>(_ name: String, _ cell: C, batch: Int, steps: Int, repeats: Int = 10) where C.Scalar == Float {
        let layer = Recurrent(cell: cell, returnsSequences: false)
        var generator = Xoshiro256StarStar(seed: 1)
        let input = Tensor<Float>(randomUniform: [steps, batch, cell.inputSize], lowerBound: -1, upperBound: 1, using: &generator)
        let outputGradient = Tensor<Float>.ones([batch, cell.hiddenSize])
        var times: [Double] = []
        for _ in 0..<(repeats + 2) {
            let start = DispatchTime.now().uptimeNanoseconds
            var context = ForwardContext(mode: .training)
            let (_, _, cache) = layer.forward(input, initialState: nil, context: &context)
            var gradients = layer.parameters.zerosLike()
            _ = layer.backward(outputGradient, cache: cache, gradients: &gradients)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let median = times.dropFirst(2).sorted()[repeats / 2]
        let gates = C.gateCount, hidden = cell.hiddenSize
        // Forward GEMMs 2·B·(I+H)·G·H per step; backward twice that (dX/dh and dW).
        let flops = 6.0 * Double(steps * batch * (cell.inputSize + hidden) * gates * hidden)
        let line = String(
            format: "%@: %.2f ms, %.1fk tokens/s, %.1f GFLOP/s", name, median * 1e3,
            Double(steps * batch) / median / 1e3, flops / median / 1e9)
        print("KEEL_BENCH " + line)
    }

    @Test(.enabled(if: enabled)) func configs() {
        measure("A LSTM I32 H128 B32 T50", LSTMCell<Float>(inputSize: 32, hiddenSize: 128, seed: 1), batch: 32, steps: 50)
        measure("B LSTM I64 H256 B64 T100", LSTMCell<Float>(inputSize: 64, hiddenSize: 256, seed: 1), batch: 64, steps: 100)
        measure("D RNN I2 H128 B64 T200", RNNCell<Float>(inputSize: 2, hiddenSize: 128, seed: 1), batch: 64, steps: 200)
        measure("E GRU I64 H256 B64 T100", GRUCell<Float>(inputSize: 64, hiddenSize: 256, seed: 1), batch: 64, steps: 100)
    }
}
