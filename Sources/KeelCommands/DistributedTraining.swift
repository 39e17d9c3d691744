import Foundation
import KeelDistributed
import KeelTrainer

/// `keel train` under an MPI launcher: `mpirun -np N keel train ARGS` trains one model
/// data-parallel on N processes, with the same ARGS as one process.
///
/// The launcher is recognized by its environment (`OMPI_COMM_WORLD_SIZE` from Open MPI,
/// `PMI_SIZE` from MPICH's Hydra and Slurm, `MV2_COMM_WORLD_SIZE` from MVAPICH). Then every rank:
/// loads MPI (one clear line when it is missing), checks that all ranks run the same options and
/// the same `keel` build (naming the first difference), takes its shard of each global batch
/// (`--batch-size` must divide by N), and trains with ``DataParallel``. Rank 0 alone prints
/// progress and writes the log and the checkpoints. A failing rank prints its error and aborts
/// the job (`MPI_Abort`); when a rank dies, `mpirun` ends the others and names the dead rank.
public enum DistributedTraining {
    /// The number of ranks an MPI launcher announced in `environment`, or `nil` outside one.
    public static func launchedRanks(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        for name in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE"] {
            if let value = environment[name].flatMap(Int.init), value >= 1 { return value }
        }
        return nil
    }

    /// Runs `runner` as one process, or data-parallel when an MPI launcher started more than one rank.
    @discardableResult
    public static func run(_ runner: TrainRunner) throws -> TrainOutcome {
        guard let ranks = launchedRanks(), ranks > 1 else { return try runner.run() }
        let world = try Communicator.world()
        guard world.size > 1 else { return try runner.run() }
        // Errors every rank finds at start: all ranks finalize MPI (a synchronization, so no rank
        // exits while another is still writing its message); rank 0 reports by throwing, a rank
        // with its own message prints it, and the others end quietly, so that `mpirun` fails
        // with the messages intact (a rank exiting non-zero first would get the others killed).
        let batchSize = runner.options.batchSize ?? 32
        let problem = try disagreement(of: runner, in: world)
            ?? (batchSize % world.size == 0 ? nil : (DistributedError.batchNotDivisible(batchSize: batchSize, ranks: world.size).description, false))
        if let (problem, ownMessage) = problem {
            if ownMessage && world.rank != 0 { FileHandle.standardError.write(Data("error: \(problem)\n".utf8)) }
            try world.finalize()
            if world.rank == 0 { throw CommandError(problem) }
            exit(ownMessage ? 1 : 0)
        }
        var runner = runner
        runner.collective = DataParallel(world)
        if world.rank != 0 { runner.write = { _ in } }
        runner.write("keel train: data-parallel on \(world.size) ranks (\(world.implementation)): global batch \(batchSize), \(batchSize / world.size) per rank\n")
        do {
            let outcome = try runner.run()
            try world.finalize()
            return outcome
        } catch {
            FileHandle.standardError.write(Data("error: rank \(world.rank) of \(world.size): \(error)\n".utf8))
            world.abort(code: 1)
        }
    }

    /// What every rank must agree on: the merged options (keys as the flags), the checkpoint
    /// resumed from, and the build.
    static func fingerprint(of runner: TrainRunner) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try JSONDecoder().decode([String: JSONValue].self, from: encoder.encode(runner.options))
        var fingerprint: [String: String] = [:]
        for (key, value) in object {
            fingerprint["--" + key] = String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        fingerprint["--resume"] = runner.resume ?? "(none)"
        fingerprint["keel build"] = String(Communicator.buildFingerprint, radix: 16)
        return fingerprint
    }

    /// Broadcasts rank 0's fingerprint; when any rank differs, returns this rank's message and
    /// whether it names this rank's own difference (rank 0 and agreeing ranks point at the
    /// others), `nil` otherwise.
    static func disagreement(of runner: TrainRunner, in world: Communicator) throws -> (message: String, ownDifference: Bool)? {
        let mine = try fingerprint(of: runner)
        let encoded = try world.broadcast(world.rank == 0 ? JSONEncoder().encode(mine).map { $0 } : [], from: 0)
        let root = try JSONDecoder().decode([String: String].self, from: Data(encoded))
        let difference = describeFirstDifference(mine: mine, root: root)
        guard try world.any(difference != nil) else { return nil }
        if let difference { return ("rank \(world.rank): \(difference)", true) }
        return ("rank \(world.rank): the ranks do not all run the same options and keel build (each differing rank names its difference)", false)
    }

    /// "--hidden is 16 here but 32 on rank 0" for the first differing key in sorted order, or `nil`.
    static func describeFirstDifference(mine: [String: String], root: [String: String]) -> String? {
        for key in Set(mine.keys).union(root.keys).sorted() where mine[key] != root[key] {
            let here = mine[key] ?? "unset", there = root[key] ?? "unset"
            if key == "keel build" {
                return "this rank runs a different keel build than rank 0 (executable hash \(here) here, \(there) on rank 0): install the same build on every host"
            }
            return "the options differ from rank 0's: \(key) is \(here) here but \(there) on rank 0"
        }
        return nil
    }
}

extension PreparedData {
    /// This rank's shard of every training batch (validation and test data stay whole: every rank
    /// evaluates them, with identical parameters, to identical results).
    func sharded(for collective: any TrainingCollective) throws -> PreparedData {
        guard collective.size > 1 else { return self }
        var data = self
        // Inputs are time-major ([time, batch, …]); targets are per step ([time, batch]) when the
        // head reads every step, [batch, outputs] otherwise.
        data.source = AnyBatchSource(
            try ShardedBatchSource(source, shard: collective.rank, of: collective.size, inputAxis: 1, targetAxis: headOnEveryStep ? 1 : 0))
        return data
    }
}
