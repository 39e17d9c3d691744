// Runs one rank's part of the distributed tests (Tests/KeelDistributedTests launch it under
// mpirun): the communicator's collectives, and a data-parallel LSTM on the adding task whose
// per-step losses, actions and final parameters each rank writes to a JSON file.
//
//   KeelDistributedHelper collectives
//   KeelDistributedHelper readme            (the README's distributed example, as written there)
//   KeelDistributedHelper train --out PREFIX [--single] [--steps N] [--nan-rank R --nan-step K]
//       [--disagree-rank R --disagree-step K] [--die-rank R --die-step K] [--bucket-bytes B]
//       [--in-chain]  (GradientAllReduce first in the pipeline instead of DataParallel)
//       [--rollback]  (a non-finite value rolls back instead of skipping)
import Foundation
import Keel
import KeelData
import KeelDistributed
import KeelTrainer

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("KeelDistributedHelper: \(message)\n".utf8))
    exit(1)
}

func option(_ name: String, in arguments: [String]) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}

/// Checks all-reduce (sum, mean, max, min) of sizes 1, 7 and 10⁶ in Float and Double, broadcast,
/// the flag reductions and the barrier; the values are small integers, so every expected result
/// is exact.
func checkCollectives() throws {
    let world = try Communicator.world()
    let (rank, size) = (world.rank, world.size)
    for count in [1, 7, 1_000_000] {
        func value(_ i: Int, _ r: Int) -> Double { Double(i % 1000 + 3 * r) }
        let ranks = 0..<size
        var floats = (0..<count).map { Float(value($0, rank)) }
        try world.allReduce(&floats, .sum)
        var doubles = (0..<count).map { value($0, rank) }
        try world.allReduce(&doubles, .mean)
        var maxima = (0..<count).map { value($0, rank) }
        try world.allReduce(&maxima, .max)
        var minima = (0..<count).map { Float(value($0, rank)) }
        try world.allReduce(&minima, .min)
        for i in 0..<count {
            let sum = ranks.reduce(0) { $0 + value(i, $1) }
            guard Double(floats[i]) == sum else { fail("Float sum of \(count): element \(i) is \(floats[i]), expected \(sum)") }
            guard doubles[i] == sum / Double(size) else { fail("Double mean of \(count): element \(i) is \(doubles[i]), expected \(sum / Double(size))") }
            guard maxima[i] == value(i, size - 1) else { fail("Double max of \(count): element \(i) is \(maxima[i])") }
            guard Double(minima[i]) == value(i, 0) else { fail("Float min of \(count): element \(i) is \(minima[i])") }
        }
        print("rank \(rank): all-reduce of \(count) ok")
    }
    let message = try world.broadcast(Array("from rank 0 of \(size)".utf8), from: 0)
    guard String(decoding: message, as: UTF8.self) == "from rank 0 of \(size)" else { fail("broadcast: got \(message)") }
    guard try world.any(rank == size - 1), try !world.all(rank == size - 1) || size == 1 else { fail("any/all flags") }
    try world.barrier()
    print("rank \(rank): broadcast, flags and barrier ok")
}

/// Poisons the inputs of one batch with NaN (on the rank that owns this source).
struct PoisonedSource<Base: BatchSource>: BatchSource where Base.Scalar == Float {
    let base: Base
    let poisonedIndex: Int?
    var batchesPerEpoch: Int { base.batchesPerEpoch }
    func batch(epoch: Int, index: Int) -> Batch<Float> {
        var batch = base.batch(epoch: epoch, index: index)
        if index == poisonedIndex { batch.inputs.withUnsafeMutableBufferPointer { $0[0] = .nan } }
        return batch
    }
}

/// Skips one step's update on one rank only: the other ranks must follow its verdict.
struct DisagreeingMonitor: Monitor {
    var firesAtStep: Int?
    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        observation.step == firesAtStep ? .skipUpdate(reason: "this rank alone disagrees") : .proceed
    }
}

struct RankRecord: Codable {
    var rank: Int
    var size: Int
    var losses: [Double]
    var applied: [Bool]
    var actions: [String]
    var parameters: [Float]
}

final class Events: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [TrainingEvent] = []
    var all: [TrainingEvent] { lock.withLock { stored } }
    func append(_ event: TrainingEvent) { lock.withLock { stored.append(event) } }
}

func train(_ arguments: [String]) throws {
    guard let out = option("--out", in: arguments) else { fail("train needs --out PREFIX") }
    let world = arguments.contains("--single") ? nil : try Communicator.world()
    let bucketBytes = option("--bucket-bytes", in: arguments).flatMap(Int.init) ?? 25 * 1024 * 1024
    let rank = world?.rank ?? 0
    func stepOption(_ name: String) -> Int? {
        option("--\(name)-rank", in: arguments).flatMap(Int.init) == rank ? option("--\(name)-step", in: arguments).flatMap(Int.init) : nil
    }
    let scenario = Scenario(
        out: out, world: world, steps: Int(option("--steps", in: arguments) ?? "50") ?? 50, nanStep: stepOption("nan"),
        disagreeStep: stepOption("disagree"), dieStep: stepOption("die"), rollsBack: arguments.contains("--rollback"))
    let clipAndAdam = Chain { GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 3e-3) }
    if arguments.contains("--in-chain"), let world {
        // The transform form: the all-reduce first in the chain, no collective in the trainer.
        let pipeline = Chain { GradientAllReduce<Float>(communicator: world, bucketBytes: bucketBytes); clipAndAdam }
        try scenario.run(pipeline: pipeline, collective: SingleProcess())
    } else {
        try scenario.run(pipeline: clipAndAdam, collective: world.map { DataParallel($0, bucketBytes: bucketBytes) } ?? SingleProcess())
    }
    try world?.finalize()
}

/// One rank's training run and what it writes.
struct Scenario {
    let out: String
    let world: Communicator?
    let steps: Int
    let nanStep: Int?
    let disagreeStep: Int?
    let dieStep: Int?
    /// Whether a non-finite value rolls back (to the snapshot of every 5th step) instead of skipping.
    let rollsBack: Bool

    func run<Pipeline: GradientTransform>(pipeline: Pipeline, collective: any TrainingCollective) throws where Pipeline.Scalar == Float {
        let (rank, size) = (world?.rank ?? 0, world?.size ?? 1)
        let task = try AddingProblem<Float>(sequenceLength: 20, batchSize: 16, batchesPerEpoch: steps, seed: 3)
        let source = PoisonedSource(base: try ShardedBatchSource(task, shard: rank, of: size), poisonedIndex: nanStep)
        var generator = Xoshiro256StarStar(seed: 11)
        let model = SequenceModel(
            recurrent: LSTM(cell: LSTMCell<Float>(inputSize: 2, hiddenSize: 16, seed: 5)),
            head: Dense<Float>(inputSize: 16, outputSize: 1, generator: &generator), headOnEveryStep: false)
        let events = Events()
        var trainer = Trainer(
            model: model, loss: MeanSquaredError<Float>(), pipeline: pipeline,
            monitors: [
                NonFiniteMonitor(action: rollsBack ? .rollback : .skipUpdate, escalateAfter: nil), DisagreeingMonitor(firesAtStep: disagreeStep),
            ],
            configuration: TrainerConfiguration(seed: 9, rollback: RollbackPolicy(snapshotInterval: 5)),
            eventHandlers: [{ events.append($0) }])
        trainer.collective = collective
        if let dieStep {
            trainer.eventHandlers.append { event in
                if case .stepCompleted(let record) = event, record.step == dieStep { kill(getpid(), SIGKILL) }
            }
        }
        try trainer.fit(epochs: 1, source: source)
        var record = RankRecord(rank: rank, size: size, losses: [], applied: [], actions: [], parameters: [])
        for event in events.all {
            switch event {
            case .stepCompleted(let step): record.losses.append(step.loss); record.applied.append(step.updateApplied)
            case .actionTaken(let action): record.actions.append("\(action.step) \(action.action.rawValue): \(action.reason)")
            default: break
            }
        }
        record.parameters = trainer.model.parameters.tensors.flatMap(\.scalars)
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(record).write(to: URL(fileURLWithPath: "\(out).rank\(rank).json"), options: .atomic)
    }
}

/// The README's "Data-parallel training in code" example, verbatim.
func readmeExample() throws {
    let world = try Communicator.world()                                      // this process's rank in the mpirun job
    let data = try AddingProblem<Float>(sequenceLength: 50, batchSize: 32, batchesPerEpoch: 20, seed: 1)
    var generator = Xoshiro256StarStar(seed: 7)                               // the same model on every rank
    let model = SequenceModel(
        recurrent: LSTM(cell: LSTMCell<Float>(inputSize: 2, hiddenSize: 32, seed: 7)),
        head: Dense<Float>(inputSize: 32, outputSize: 1, generator: &generator), headOnEveryStep: false)
    var trainer = Trainer(
        model: model, loss: MeanSquaredError<Float>(),
        pipeline: Chain { GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 3e-3) },
        monitors: .standard, sinks: world.rank == 0 ? [try JSONLinesEventSink(path: "run.jsonl")] : [])
    trainer.collective = DataParallel(world)                                  // average gradients, agree on verdicts
    try trainer.fit(epochs: 1, source: try ShardedBatchSource(data, communicator: world))   // 32 / N rows per rank
    try world.finalize()
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "collectives":
        try checkCollectives()
        try Communicator.world().finalize()
    case "train": try train(Array(arguments.dropFirst()))
    case "readme": try readmeExample()
    default: fail("usage: KeelDistributedHelper collectives | readme | train --out PREFIX […]")
    }
} catch {
    fail("\(error)")
}
