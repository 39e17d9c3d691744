// `keel-bench distributed`: the training step of configs B and C (as `keel-bench step`, Trainer
// mode) with data parallelism: run alone it is one process; under `mpirun -np N` every rank
// trains on its B/N rows of the same global batch with `DataParallel`, and rank 0 reports global
// tokens/s, the gradient all-reduce's time per step and share, the verdict agreement's, and the
// time a rank waited for the slower one (measured at a barrier the benchmark adds).
// Benchmarks/distributed_bench.py runs 1 process × 1 thread, 1 × 2 threads and 2 ranks × 1 thread.

import Foundation
import KeelDistributed
import KeelTrainer

/// Collects durations from the trainer's thread and its event handlers.
final class DurationLog: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: [Double] = []
    func record(_ value: Double) { lock.withLock { seconds.append(value) } }
    func take() -> [Double] { lock.withLock { defer { seconds = [] }; return seconds } }
}

/// A `DataParallel` whose collectives are timed. Before the gradient all-reduce it waits at a
/// barrier (timed apart), so that the all-reduce time is the transfer and the reduction alone,
/// not the wait for a slower rank; the barrier is the benchmark's, not part of a real step.
struct TimedCollective: TrainingCollective {
    let inner: any TrainingCollective
    let communicator: Communicator?
    let waits = DurationLog(), reductions = DurationLog(), agreements = DurationLog()
    var rank: Int { inner.rank }
    var size: Int { inner.size }

    func averageGradients<Scalar: TensorScalar>(_ gradients: inout ParameterSet<Scalar>, loss: inout Double) throws {
        var start = now()
        try communicator?.barrier()
        waits.record(now() - start)
        start = now()
        try inner.averageGradients(&gradients, loss: &loss)
        reductions.record(now() - start)
    }

    func agree(on verdict: MonitorVerdict) throws -> MonitorVerdict {
        let start = now()
        defer { agreements.record(now() - start) }
        return try inner.agree(on: verdict)
    }

    func broadcastFromRoot<Scalar: TensorScalar>(_ tensors: inout ParameterSet<Scalar>) throws {
        try inner.broadcastFromRoot(&tensors)
    }

    func reset() {
        _ = waits.take()
        _ = reductions.take()
        _ = agreements.take()
    }
}

/// Per-step wall time and collective times of one rank.
struct DistributedRun {
    var stepSeconds: [Double] = []
    var waitSeconds: [Double] = []
    var allReduceSeconds: [Double] = []
    var agreeSeconds: [Double] = []
}

struct DistributedStepBody<LossFunction: Loss>: RecurrentNetworkBody where LossFunction.Scalar == Float {
    typealias Scalar = Float
    let loss: LossFunction
    let source: ShardedBatchSource<FixedBatchSource>
    let collective: TimedCollective
    let warmup: Int
    let steps: Int

    func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> DistributedRun where L.Scalar == Float, L.State: Sendable {
        let durations = DurationLog()
        var trainer = Trainer(
            model: model, loss: loss, pipeline: Chain { GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 1e-3) },
            configuration: TrainerConfiguration(seed: 1),
            eventHandlers: [{ event in if case .stepCompleted(let record) = event { durations.record(record.durationSeconds ?? .nan) } }])
        trainer.collective = collective
        try trainer.fit(epochs: 1, source: source, maxSteps: warmup)
        collective.reset()
        _ = durations.take()
        // One fit for all timed steps: the parameter broadcast at its start is not in any step.
        try trainer.fit(epochs: 1, source: source, maxSteps: warmup + steps)
        return DistributedRun(
            stepSeconds: durations.take(), waitSeconds: collective.waits.take(), allReduceSeconds: collective.reductions.take(),
            agreeSeconds: collective.agreements.take())
    }
}

enum DistributedBenchmark {
    static let command = Subcommand(
        name: "distributed",
        summary: "data-parallel training step of configs B and C: alone, or on every rank under mpirun",
        usage: """
            usage: keel-bench distributed [--config B|C] [--threads 1] [--steps 20] [--warmup 3] [--json FILE]
                   mpirun -np 2 keel-bench distributed …

              --config C      B or C (default C); the batch is the global batch, split over the ranks
              --threads N     kernel threads per process (default 1)
              --steps N       timed steps (default 20; medians are reported)
              --warmup N      untimed steps first (default 3)
              --json FILE     rank 0 appends one JSON line per run

            Benchmarks/distributed_bench.py runs 1 process × 1 thread, 1 process × 2 threads and
            2 ranks × 1 thread, several passes, and prints the table with ratios.
            """,
        run: { arguments in try run(arguments) })

    static func run(_ arguments: [String]) throws {
        let options = try Options(arguments, flags: [], options: ["--config", "--threads", "--steps", "--warmup", "--json"])
        let threads = try options.int("--threads", default: 1, range: 1...256)
        let steps = try options.int("--steps", default: 20, range: 1...100_000)
        let warmup = try options.int("--warmup", default: 3, range: 1...100_000)
        let name = (options.string("--config") ?? "C").uppercased()
        guard name == "B" || name == "C", let config = StepConfig.all.first(where: { $0.name == name }) else {
            throw UsageError("--config expects B or C, got '\(name)'")
        }
        let launched = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"].contains { ProcessInfo.processInfo.environment[$0] != nil }
        let world: Communicator? = launched ? try Communicator.world() : nil
        let collective = TimedCollective(inner: world.map { DataParallel($0) } ?? SingleProcess(), communicator: world)
        Kernels.threadCount = threads
        let source = try ShardedBatchSource(
            FixedBatchSource(fixed: config.makeBatch()), shard: collective.rank, of: collective.size,
            inputAxis: 1, targetAxis: config.vocabulary > 0 ? 1 : 0)
        let run: DistributedRun
        if config.vocabulary > 0 {
            run = try config.specification.build(DistributedStepBody(
                loss: SoftmaxCrossEntropy<Float>(), source: source, collective: collective, warmup: warmup, steps: steps))
        } else {
            run = try config.specification.build(DistributedStepBody(
                loss: MeanSquaredError<Float>(), source: source, collective: collective, warmup: warmup, steps: steps))
        }
        try world?.finalize()
        guard collective.rank == 0 else { return }
        // The step minus the benchmark's barrier: what a step costs in a real run (which waits
        // inside the all-reduce instead).
        let step = Samples(values: zip(run.stepSeconds, run.waitSeconds).map { $0 - $1 }).median
        let wait = Samples(values: run.waitSeconds).median
        let allReduce = Samples(values: run.allReduceSeconds).median
        let agree = Samples(values: run.agreeSeconds).median
        let parameters = try config.specification.build(ParameterCount())
        let record: [String: Any] = [
            "config": name, "ranks": collective.size, "threads": threads, "steps": steps, "median_step_ms": step * 1e3,
            "median_wait_ms": wait * 1e3, "median_allreduce_ms": allReduce * 1e3, "median_agree_ms": agree * 1e3,
            "allreduce_share": allReduce / step, "tokens_per_s": Double(config.tokens) / step, "parameters": parameters,
        ]
        print("keel distributed cfg=\(name) ranks=\(collective.size) thr=\(threads): step \(format(step * 1e3, digits: 2)) ms, "
            + "all-reduce \(format(allReduce * 1e3, digits: 2)) ms (\(format(100 * allReduce / step, digits: 1))%), "
            + "verdict \(format(agree * 1e3, digits: 3)) ms, wait for the slower rank \(format(wait * 1e3, digits: 2)) ms, "
            + "\(format(Double(config.tokens) / step, digits: 0)) tokens/s, \(parameters) parameters")
        if let path = options.string("--json") { try appendJSONLine(record, to: path) }
    }
}

/// The parameter count of a specification's network.
struct ParameterCount: RecurrentNetworkBody {
    typealias Scalar = Float
    func run<L: RecurrentSequenceLayer>(_ model: RecurrentNetwork<L>) throws -> Int where L.Scalar == Float, L.State: Sendable {
        model.parameterCount
    }
}
