import Foundation
import Testing

/// A `Trainer` with `DataParallel` on 2 ranks against the same trainer in one process: an LSTM
/// on the adding task (T = 20, global batch 16, global-norm clipping, Adam), 50 steps.
@Suite(.serialized, .enabled(if: MPILauncher.isAvailable, MPILauncher.unavailableReason))
struct DataParallelTrainerTests {
    /// Runs the helper's training scenario as one process and on `ranks` ranks.
    static func train(ranks: Int, _ extra: [String] = [], in directory: URL) throws -> (single: RankRecord, ranks: [RankRecord]) {
        let single = try MPILauncher.run(MPILauncher.helper, ["train", "--single", "--out", "single"], in: directory)
        #expect(single.status == 0, "\(single.output)")
        let parallel = try MPILauncher.launch(ranks: ranks, MPILauncher.helper, ["train", "--out", "parallel"] + extra, in: directory)
        #expect(parallel.status == 0, "\(parallel.output)")
        return (try RankRecord.read("single", rank: 0, in: directory), try (0..<ranks).map { try RankRecord.read("parallel", rank: $0, in: directory) })
    }

    @Test func twoRanksReproduceOneProcess() throws {
        let (single, ranks) = try Self.train(ranks: 2, in: try MPILauncher.temporaryDirectory())
        #expect(single.losses.count == 50)
        #expect(largestRelativeDifference(single.losses, ranks[0].losses) <= 1e-5)
        // Parameters: the largest deviation relative to the largest parameter (float32 rounding
        // of a different summation order, amplified by Adam's 1/√v on tiny gradients, makes a
        // per-element ratio on near-zero weights meaningless).
        let scale = single.parameters.map { abs(Double($0)) }.max()!
        let deviation = zip(single.parameters, ranks[0].parameters).map { abs(Double($0) - Double($1)) }.max()!
        #expect(single.parameters.count == ranks[0].parameters.count)
        #expect(deviation / scale <= 1e-5, "largest deviation \(deviation), largest parameter \(scale)")
        // Ranks never diverge: bit-identical parameters and identical logs.
        #expect(ranks[0].parameters == ranks[1].parameters)
        #expect(ranks[0].losses == ranks[1].losses)
        #expect(ranks[0].actions.isEmpty && ranks[1].actions.isEmpty)
    }

    @Test func bucketsOfAnySizeGiveTheSameParameters() throws {
        // 1,000-byte buckets split every weight matrix over several all-reduce calls; each element
        // is still summed once, so the result is bit-identical to the one-bucket run.
        let directory = try MPILauncher.temporaryDirectory()
        for (prefix, extra) in [("whole", [String]()), ("small", ["--bucket-bytes", "1000"])] {
            let result = try MPILauncher.launch(ranks: 2, MPILauncher.helper, ["train", "--steps", "10", "--out", prefix] + extra, in: directory)
            #expect(result.status == 0, "\(result.output)")
        }
        let whole = try RankRecord.read("whole", rank: 0, in: directory), small = try RankRecord.read("small", rank: 1, in: directory)
        #expect(whole.parameters == small.parameters && whole.losses == small.losses)
    }

    @Test func theAllReduceFirstInTheChainUpdatesAsDataParallelDoes() throws {
        // GradientAllReduce as the pipeline's first stage: clipping and Adam see the averaged
        // gradient, so the parameters are those of DataParallel (which reduces before the
        // statistics; the logged losses of the chain form are each rank's own).
        let directory = try MPILauncher.temporaryDirectory()
        for (prefix, extra) in [("collective", [String]()), ("chain", ["--in-chain"])] {
            let result = try MPILauncher.launch(ranks: 2, MPILauncher.helper, ["train", "--steps", "10", "--out", prefix] + extra, in: directory)
            #expect(result.status == 0, "\(result.output)")
        }
        let collective = try RankRecord.read("collective", rank: 0, in: directory)
        let chain = try (0..<2).map { try RankRecord.read("chain", rank: $0, in: directory) }
        #expect(chain[0].parameters == collective.parameters && chain[1].parameters == collective.parameters)
        #expect(chain[0].losses != chain[1].losses)
    }

    @Test func aNonFiniteGradientOnOneRankMakesEveryRankSkipThatStep() throws {
        let directory = try MPILauncher.temporaryDirectory()
        let result = try MPILauncher.launch(
            ranks: 2, MPILauncher.helper, ["train", "--out", "nan", "--nan-rank", "1", "--nan-step", "7"], in: directory, timeout: 120)
        #expect(!result.timedOut && result.status == 0, "\(result.output)")
        let ranks = try (0..<2).map { try RankRecord.read("nan", rank: $0, in: directory) }
        for record in ranks {
            #expect(record.losses.count == 50)
            #expect(record.applied.enumerated().filter { !$0.element }.map(\.offset) == [7], "rank \(record.rank)")
            #expect(record.actions.count == 1 && record.actions[0].hasPrefix("7 skipUpdate: NonFiniteMonitor"), "\(record.actions)")
            #expect(record.parameters.allSatisfy { $0.isFinite })
        }
        #expect(ranks[0].parameters == ranks[1].parameters)
    }

    @Test func aNonFiniteGradientOnOneRankMakesEveryRankRollBack() throws {
        let directory = try MPILauncher.temporaryDirectory()
        let result = try MPILauncher.launch(
            ranks: 2, MPILauncher.helper, ["train", "--out", "rollback", "--rollback", "--nan-rank", "1", "--nan-step", "7"], in: directory)
        #expect(!result.timedOut && result.status == 0, "\(result.output)")
        let ranks = try (0..<2).map { try RankRecord.read("rollback", rank: $0, in: directory) }
        for record in ranks {
            // Back to the snapshot after step 5, with the rollback's learning-rate backoff; batch 7
            // is skipped, so 49 batches make 49 steps.
            #expect(record.actions.count == 2 && record.actions[0].hasPrefix("7 rollback: NonFiniteMonitor"), "\(record.actions)")
            #expect(record.actions.last?.hasSuffix("learningRateChange: rollback backoff") == true, "\(record.actions)")
            #expect(record.parameters.allSatisfy { $0.isFinite })
        }
        #expect(ranks[0].parameters == ranks[1].parameters)
        #expect(ranks[0].losses == ranks[1].losses)
    }

    @Test func aVerdictOfOneRankIsEveryRanksVerdict() throws {
        let directory = try MPILauncher.temporaryDirectory()
        let result = try MPILauncher.launch(
            ranks: 2, MPILauncher.helper, ["train", "--out", "disagree", "--disagree-rank", "1", "--disagree-step", "4"], in: directory)
        #expect(!result.timedOut && result.status == 0, "\(result.output)")
        let ranks = try (0..<2).map { try RankRecord.read("disagree", rank: $0, in: directory) }
        #expect(ranks[0].actions == ["4 skipUpdate: rank 1: DisagreeingMonitor: this rank alone disagrees"])
        #expect(ranks[1].actions == ["4 skipUpdate: DisagreeingMonitor: this rank alone disagrees"])
        #expect(ranks[0].applied == ranks[1].applied && !ranks[0].applied[4])
        #expect(ranks[0].parameters == ranks[1].parameters)
    }

    @Test func aKilledRankEndsTheJobInBoundedTime() throws {
        let directory = try MPILauncher.temporaryDirectory()
        let result = try MPILauncher.launch(
            ranks: 2, MPILauncher.helper, ["train", "--out", "killed", "--die-rank", "1", "--die-step", "10"], in: directory, timeout: 60)
        #expect(!result.timedOut, "the surviving rank hung: \(result.output)")
        #expect(result.status != 0)
        #expect(result.output.contains("rank 1") && result.output.contains("signal 9"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("killed.rank0.json").path))
    }

    @Test func theReadmeExampleTrainsOnTwoRanks() throws {
        let directory = try MPILauncher.temporaryDirectory()
        let result = try MPILauncher.launch(ranks: 2, MPILauncher.helper, ["readme"], in: directory)
        #expect(result.status == 0, "\(result.output)")
        let losses = try loggedLosses(directory.appendingPathComponent("run.jsonl"))
        #expect(losses.count == 20 && losses.allSatisfy { $0.isFinite })
    }
}
