// `keel-bench step`: Keel's full training step (forward over the sequence, loss, BPTT, global-norm
// clip 1.0, Adam 1e-3, Float) at configs A–E of peers.md, through the user path: a
// `RecurrentNetworkSpecification` built into a `RecurrentNetwork` and trained by a `Trainer`
// (no monitors, like the peers), plus the same step as a bare hand-written loop.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import KeelTrainer

struct StepConfig {
    let name: String
    let cell: RecurrentCellKind
    let layers: Int
    let input: Int
    let hidden: Int
    let batch: Int
    let seq: Int
    let vocabulary: Int  // 0: regression on the last step (MSE); else char-LM (softmax CE every step)

    static let all: [StepConfig] = [
        StepConfig(name: "A", cell: .lstm, layers: 1, input: 32, hidden: 128, batch: 32, seq: 50, vocabulary: 0),
        StepConfig(name: "B", cell: .lstm, layers: 1, input: 64, hidden: 256, batch: 64, seq: 100, vocabulary: 0),
        StepConfig(name: "C", cell: .lstm, layers: 2, input: 64, hidden: 512, batch: 32, seq: 100, vocabulary: 65),
        StepConfig(name: "D", cell: .rnnTanh, layers: 1, input: 2, hidden: 128, batch: 64, seq: 200, vocabulary: 0),
        StepConfig(name: "E", cell: .gru, layers: 1, input: 64, hidden: 256, batch: 64, seq: 100, vocabulary: 0),
    ]

    var gates: Int { cell == .lstm ? 4 : cell == .gru ? 3 : 1 }

    /// GEMM FLOPs of one training step, as `configs.py` counts them: 3 × forward.
    var trainFLOPs: Double {
        var forward = 0.0
        var inputSize = input
        for _ in 0..<layers {
            forward += 2.0 * Double(batch * (inputSize + hidden) * gates * hidden * seq)
            inputSize = hidden
        }
        forward += vocabulary > 0 ? 2.0 * Double(batch * hidden * vocabulary * seq) : 2.0 * Double(batch * hidden)
        return 3 * forward
    }

    var tokens: Int { batch * seq }

    var specification: RecurrentNetworkSpecification {
        var specification = RecurrentNetworkSpecification(
            cell: cell, inputSize: input, hiddenSize: hidden, layers: layers,
            outputSize: vocabulary > 0 ? vocabulary : 1, headOnEveryStep: vocabulary > 0,
            embedding: vocabulary > 0 ? .init(vocabularySize: vocabulary, dimension: input) : nil, seed: 0)
        // Like the peers (inputs without requires_grad, JAX differentiating the parameters only).
        specification.computesInputGradient = false
        return specification
    }

    /// One fixed batch, drawn like the peers' `make_data` (torch_rnn.py, jax_rnn.py): standard
    /// normal inputs and targets; D the adding problem (values in [0, 1) and two markers per
    /// sequence, target their sum); C random tokens, targets the next token.
    func makeBatch() -> Batch<Float> {
        var generator = Xoshiro256StarStar(seed: 7)
        func index(_ bound: Int) -> Int { min(Int(generator.nextUnitDouble() * Double(bound)), bound - 1) }
        if vocabulary > 0 {
            let tokens = (0..<((seq + 1) * batch)).map { _ in Float(index(vocabulary)) }
            return Batch(
                inputs: Tensor(shape: [seq, batch], scalars: Array(tokens[..<(seq * batch)])),
                targets: Tensor(shape: [seq, batch], scalars: Array(tokens[batch...])))
        }
        if name == "D" {
            var inputs = [Float](repeating: 0, count: seq * batch * 2)
            var targets = [Float](repeating: 0, count: batch)
            for t in 0..<seq { for b in 0..<batch { inputs[(t * batch + b) * 2] = Float(generator.nextUnitDouble()) } }
            for b in 0..<batch {
                let i = index(seq)
                var j = index(seq - 1)
                if j >= i { j += 1 }
                for t in [i, j] {
                    inputs[(t * batch + b) * 2 + 1] = 1
                    targets[b] += inputs[(t * batch + b) * 2]
                }
            }
            return Batch(inputs: Tensor(shape: [seq, batch, 2], scalars: inputs), targets: Tensor(shape: [batch, 1], scalars: targets))
        }
        let inputs = Tensor<Float>(randomNormal: [seq, batch, input], standardDeviation: 1, using: &generator)
        let targets = Tensor<Float>(randomNormal: [batch, 1], standardDeviation: 1, using: &generator)
        return Batch(inputs: inputs, targets: targets)
    }
}

struct FixedBatchSource: BatchSource {
    let fixed: Batch<Float>
    var batchesPerEpoch: Int { 1_000_000_000 }
    func batch(epoch: Int, index: Int) -> Batch<Float> { fixed }
}

/// Per-step wall times and the losses of a run.
struct StepRun {
    var times: [Double] = []
    var losses: [Double] = []

    func quantile(_ q: Double) -> Double {
        let sorted = times.sorted()
        guard sorted.count > 1 else { return sorted.first ?? .nan }
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}

func maxRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
}

/// Builds the model of a config with its concrete layer type and times it.
struct StepBody<LossFunction: Loss>: RecurrentNetworkBody where LossFunction.Scalar == Float {
    typealias Scalar = Float
    typealias Result = [String: StepRun]
    let loss: LossFunction
    let batch: Batch<Float>
    let warmup: Int
    let steps: Int
    let modes: [String]
    /// Parameters to start from by key (`--weights-from`), else the specification's seed-0 init.
    var initial: [String: Tensor<Float>]? = nil

    func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> [String: StepRun] where L.Scalar == Float, L.State: Sendable {
        func pipeline() -> Chain<GlobalNormClipper<Float>, Adam<Float>> {
            Chain { GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 1e-3) }
        }
        var model = model
        if let initial {
            var used = 0
            model.updateParameters { key, tensor in
                guard let value = initial[key.description] else { fatalError("--weights-from: no tensor '\(key)' in the file") }
                precondition(value.shape == tensor.shape, "--weights-from: '\(key)' has shape \(value.shape), the model \(tensor.shape)")
                tensor = value
                used += 1
            }
            precondition(used == initial.count, "--weights-from: the file has \(initial.count) parameters, the model \(used)")
        }
        var results: [String: StepRun] = [:]
        if modes.contains("trainer") {
            var trainer = Trainer(
                model: model, loss: loss, pipeline: pipeline(),
                configuration: TrainerConfiguration(seed: 1))
            let source = FixedBatchSource(fixed: batch)
            var run = StepRun()
            for index in 0..<(warmup + steps) {
                let start = now()
                let result = try trainer.fit(epochs: 1, source: source, maxSteps: trainer.step + 1)
                let elapsed = now() - start
                if index >= warmup { run.times.append(elapsed) }
                run.losses.append(result.lastLoss ?? .nan)
            }
            results["trainer"] = run
        }
        if modes.contains("bare") {
            var bareModel = model
            let barePipeline = pipeline()
            var state = barePipeline.makeState(for: bareModel.parameters)
            var run = StepRun()
            for index in 0..<(warmup + steps) {
                let start = now()
                var context = ForwardContext(mode: .training)
                let (output, cache) = bareModel.forward(batch.inputs, context: &context)
                let (value, gradient) = loss.valueAndGradient(predictions: output, targets: batch.targets)
                var gradients = bareModel.parameters.zerosLike()
                _ = bareModel.backward(gradient, cache: cache, gradients: &gradients)
                var transformContext = TransformContext(step: index, parameters: bareModel.parameters)
                try barePipeline.apply(to: &gradients, state: &state, context: &transformContext)
                bareModel.applyUpdate(gradients, scaledBy: 1)
                let elapsed = now() - start
                if index >= warmup { run.times.append(elapsed) }
                run.losses.append(Double(value))
            }
            results["bare"] = run
        }
        return results
    }
}

enum StepBenchmark {
    static let command = Subcommand(
        name: "step",
        summary: "full training step (forward, loss, BPTT, clip 1.0, Adam) at configs A–E vs peers.md",
        usage: """
            usage: keel-bench step [--config A|B|C|D|E|all] [--threads 1,2|scaling] [--steps 20] [--warmup 5]
                                   [--mode trainer,bare] [--json FILE] [--weights-from DIR]

              --config C      one config or `all` (default all)
              --threads LIST  thread counts, any (default 1,2); `scaling`: 1, 2, 4, 8, … up to
                              the CPUs this process may use (and that count itself), followed by a
                              scaling table: tokens/s, speed-up over 1 thread, parallel efficiency
                              (speed-up / threads) and the recurrent kernels' partition per count
              --steps N       timed steps (default 20; the median is reported)
              --warmup N      untimed steps first (default 5)
              --mode LIST     trainer (Trainer.fit one step at a time, no monitors), bare (the
                              hand-written loop), or both (default trainer,bare)
              --json FILE     append one JSON line per measurement (fields as the anchor scripts')
              --weights-from DIR
                              start from DIR/weights.safetensors (parameters under Keel's keys plus
                              batch.inputs, batch.targets), as Benchmarks/torch_trajectory.py writes
                              them, and compare the losses with DIR/torch_losses.json (use
                              --warmup 0 to compare from the first step)

            One step = forward over the sequence, loss, backward through time, global-norm clip 1.0,
            Adam(1e-3), Float, on one fixed batch (as the peers in ../shared/bench/anchors). Model:
            RecurrentNetworkSpecification → RecurrentNetwork (seed 0). A, B, D, E: Linear(hidden→1)
            on the last step, MSE; C: embedding 65→64, 2×LSTM(512), Linear(512→65) at every step,
            softmax cross-entropy. GFLOP/s counts GEMM FLOPs as configs.py: 3 × forward. max RSS
            is the process's (getrusage), so run one config and mode per process to compare it.
            """,
        run: { arguments in try run(arguments) })

    static func run(_ arguments: [String]) throws {
        let options = try Options(
            arguments, flags: [], options: ["--config", "--threads", "--steps", "--warmup", "--mode", "--json", "--weights-from"])
        let scaling = options.string("--threads") == "scaling"
        let threads = scaling ? scalingThreadCounts() : try options.intList("--threads", default: [1, 2])
        let steps = try options.int("--steps", default: 20, range: 1...100_000)
        let warmup = try options.int("--warmup", default: 5, range: 0...100_000)
        let modes = (options.string("--mode") ?? "trainer,bare").split(separator: ",").map(String.init)
        guard !modes.isEmpty, modes.allSatisfy({ $0 == "trainer" || $0 == "bare" }) else {
            throw UsageError("--mode expects trainer, bare or trainer,bare")
        }
        let configName = (options.string("--config") ?? "all").uppercased()
        let configs = configName == "ALL" ? StepConfig.all : StepConfig.all.filter { $0.name == configName }
        guard !configs.isEmpty else { throw UsageError("--config expects A, B, C, D, E or all, got '\(configName)'") }
        if let warning = buildWarning() { print(warning) }
        var imported: (parameters: [String: Tensor<Float>], batch: Batch<Float>, referenceLosses: [Double]?)? = nil
        if let directory = options.string("--weights-from") {
            guard configs.count == 1 else { throw UsageError("--weights-from needs one --config") }
            let file = try SafeTensorsFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/weights.safetensors"))))
            var parameters: [String: Tensor<Float>] = [:]
            for name in file.names where !name.hasPrefix("batch.") { parameters[name] = try file.tensor(named: name, as: Float.self) }
            let batch = Batch(
                inputs: try file.tensor(named: "batch.inputs", as: Float.self), targets: try file.tensor(named: "batch.targets", as: Float.self))
            var reference: [Double]? = nil
            if let data = try? Data(contentsOf: URL(fileURLWithPath: directory + "/torch_losses.json")),
               let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
                reference = (object["losses"] as? [NSNumber])?.map(\.doubleValue)
            }
            imported = (parameters, batch, reference)
        }

        var table = Table(["cfg", "thr", "mode", "median ms", "p25 ms", "p75 ms", "tokens/s", "GFLOP/s", "max RSS MB", "loss first→last"])
        var medians: [String: Double] = [:]  // "cfg mode threads" -> median step seconds
        for config in configs {
            for count in threads {
                Kernels.threadCount = count
                var batch = config.makeBatch()
                var initial: [String: Tensor<Float>]? = nil
                if let loaded = imported {
                    batch = loaded.batch
                    initial = loaded.parameters
                }
                let results: [String: StepRun]
                if config.vocabulary > 0 {
                    results = try config.specification.build(StepBody(
                        loss: SoftmaxCrossEntropy<Float>(), batch: batch, warmup: warmup, steps: steps, modes: modes, initial: initial))
                } else {
                    results = try config.specification.build(StepBody(
                        loss: MeanSquaredError<Float>(), batch: batch, warmup: warmup, steps: steps, modes: modes, initial: initial))
                }
                if let reference = imported?.referenceLosses {
                    for mode in modes {
                        guard let losses = results[mode]?.losses else { continue }
                        var worst = 0.0
                        var lines: [String] = []
                        for (index, (keel, peer)) in zip(losses, reference).enumerated() {
                            let relative = abs(keel - peer) / max(abs(peer), 1e-12)
                            worst = max(worst, relative)
                            lines.append("  step \(index): keel \(format(keel, digits: 6))  torch \(format(peer, digits: 6))  rel \(String(format: "%.2e", relative))")
                        }
                        print("trajectory \(mode) cfg=\(config.name) thr=\(count) vs torch (same initial weights and batch):")
                        print(lines.joined(separator: "\n"))
                        print("trajectory \(mode) cfg=\(config.name) thr=\(count): max relative loss difference over \(lines.count) steps \(String(format: "%.2e", worst))")
                    }
                }
                for mode in modes {
                    guard let run = results[mode] else { continue }
                    let median = run.quantile(0.5)
                    medians["\(config.name) \(mode) \(count)"] = median
                    let rss = maxRSSMegabytes()
                    let shown = run.losses.prefix(8).map { format($0, digits: 4) }.joined(separator: " ")
                    print("keel \(mode) cfg=\(config.name) thr=\(count) losses: \(shown) … \(format(run.losses.last ?? .nan, digits: 4))")
                    table.add([
                        config.name, "\(count)", mode, format(median * 1e3, digits: 2), format(run.quantile(0.25) * 1e3, digits: 2),
                        format(run.quantile(0.75) * 1e3, digits: 2), format(Double(config.tokens) / median, digits: 0),
                        format(config.trainFLOPs / median / 1e9, digits: 1), format(rss, digits: 0),
                        "\(format(run.losses.first ?? .nan, digits: 4))→\(format(run.losses.last ?? .nan, digits: 4))",
                    ])
                    if let path = options.string("--json") {
                        let record: [String: Any] = [
                            "framework": "keel", "impl": mode, "config": config.name, "threads": count, "steps": run.times.count,
                            "median_ms": median * 1e3, "p25_ms": run.quantile(0.25) * 1e3, "p75_ms": run.quantile(0.75) * 1e3,
                            "min_ms": (run.times.min() ?? .nan) * 1e3, "max_ms": (run.times.max() ?? .nan) * 1e3,
                            "tokens_per_s": Double(config.tokens) / median, "gflops": config.trainFLOPs / median / 1e9,
                            "max_rss_mb": rss, "losses": run.losses,
                        ]
                        try appendJSONLine(record, to: path)
                    }
                }
            }
        }
        print(table.render(), terminator: "")
        if scaling { print(scalingTable(configs: configs, modes: modes, threads: threads, medians: medians).render(), terminator: "") }
    }

    /// 1, 2, 4, … below the CPUs this process may run on, then that count.
    static func scalingThreadCounts() -> [Int] {
        let cpus = max(1, Kernels.availableCPUCount)
        var counts: [Int] = []
        var count = 1
        while count < cpus {
            counts.append(count)
            count *= 2
        }
        return counts + [cpus]
    }

    /// Per config and mode: tokens/s, speed-up over the fewest threads measured (× that count,
    /// so it reads as a speed-up over 1 thread when 1 was measured), efficiency = speed-up /
    /// threads, and the first layer's forward partition (row chunks × column blocks).
    static func scalingTable(configs: [StepConfig], modes: [String], threads: [Int], medians: [String: Double]) -> Table {
        var table = Table(["cfg", "mode", "thr", "tokens/s", "speed-up", "efficiency", "partition"])
        for config in configs {
            for mode in modes {
                guard let base = threads.first, let baseMedian = medians["\(config.name) \(mode) \(base)"] else { continue }
                for count in threads {
                    guard let median = medians["\(config.name) \(mode) \(count)"] else { continue }
                    let speedUp = baseMedian / median * Double(base)
                    let partition = Kernels.recurrentPartition(
                        cell: config.kernelCell, batchSize: config.batch, inputSize: config.input, hiddenSize: config.hidden,
                        tokenInput: config.vocabulary > 0, threads: count)
                    table.add([
                        config.name, mode, "\(count)", format(Double(config.tokens) / median, digits: 0), format(speedUp, digits: 2),
                        format(speedUp / Double(count), digits: 2), partition.description,
                    ])
                }
            }
        }
        return table
    }
}

extension StepConfig {
    /// The whole-sequence kernels' name for the config's cell.
    var kernelCell: Kernels.RecurrentCellKind {
        switch cell {
        case .lstm: .lstm
        case .gru: .gru
        case .rnnReLU: .rnnReLU
        case .rnnTanh: .rnnTanh
        }
    }
}
