// `keel-bench recurrent`: forward + backward through time of one recurrent layer (LSTM, GRU,
// tanh RNN) at the shapes of configs A, B, D and E in peers.md.

import KeelLayers

enum RecurrentBenchmark {
    static let command = Subcommand(
        name: "recurrent",
        summary: "forward+backward of one LSTM/GRU/RNN layer at configs A, B, D, E (tokens/s, GFLOP/s)",
        usage: """
            usage: keel-bench recurrent [--threads 1,2] [--min-time SECONDS] [--quick]

              --threads LIST  thread counts to measure (default 1,2)
              --min-time S    seconds of timing per row (default 2)
              --quick         --min-time 0.5

            One layer, Float, last-step output gradient of ones; GEMM FLOPs = 6·T·B·(I+H)·G·H
            (forward 2·…, backward 4·…), as in peers.md. This is not the full training step
            (no loss, clipping or Adam): `keel-bench step` races that against PyTorch and JAX.
            """,
        run: { arguments in try run(arguments) })

    static func run(_ arguments: [String]) throws {
        let options = try Options(arguments, flags: ["--quick"], options: ["--threads", "--min-time"])
        let threads = try options.intList("--threads", default: [1, 2])
        let minTime = try options.double("--min-time", default: options.flag("--quick") ? 0.5 : 2)
        if let warning = buildWarning() { print(warning) }
        var table = Table(["config", "threads", "ms (median)", "tokens/s", "GFLOP/s"])
        for count in threads {
            Kernels.threadCount = count
            table.add(row("A LSTM I32 H128 B32 T50", LSTMCell<Float>(inputSize: 32, hiddenSize: 128, seed: 1), batch: 32, steps: 50, threads: count, minTime: minTime))
            table.add(row("B LSTM I64 H256 B64 T100", LSTMCell<Float>(inputSize: 64, hiddenSize: 256, seed: 1), batch: 64, steps: 100, threads: count, minTime: minTime))
            table.add(row("D RNN I2 H128 B64 T200", RNNCell<Float>(inputSize: 2, hiddenSize: 128, seed: 1), batch: 64, steps: 200, threads: count, minTime: minTime))
            table.add(row("E GRU I64 H256 B64 T100", GRUCell<Float>(inputSize: 64, hiddenSize: 256, seed: 1), batch: 64, steps: 100, threads: count, minTime: minTime))
        }
        print(table.render(), terminator: "")
    }

    static func row<C: GatedRecurrentCell>(
        _ name: String, _ cell: C, batch: Int, steps: Int, threads: Int, minTime: Double
    ) -> [String] where C.Scalar == Float {
        let layer = Recurrent(cell: cell, returnsSequences: false)
        var generator = Xoshiro256StarStar(seed: 1)
        let input = Tensor<Float>(randomUniform: [steps, batch, cell.inputSize], lowerBound: -1, upperBound: 1, using: &generator)
        let outputGradient = Tensor<Float>.ones([batch, cell.hiddenSize])
        var gradients = layer.parameters.zerosLike()
        let samples = measure(minTime: minTime, minSamples: 5, warmup: 2) {
            var context = ForwardContext(mode: .training)
            let (_, _, cache) = layer.forward(input, initialState: nil, context: &context)
            _ = layer.backward(outputGradient, cache: cache, gradients: &gradients)
        }
        let seconds = samples.median
        let flops = 6.0 * Double(steps * batch * (cell.inputSize + cell.hiddenSize) * C.gateCount * cell.hiddenSize)
        return [name, "\(threads)", format(seconds * 1e3, digits: 2), format(Double(steps * batch) / seconds, digits: 0),
                format(flops / seconds / 1e9, digits: 1)]
    }
}
