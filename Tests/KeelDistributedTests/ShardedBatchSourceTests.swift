import Foundation
import KeelCommands
import KeelData
import KeelDistributed
import KeelTrainer
import Testing

/// In one process, without MPI: shards, launcher detection and the one-process default.
@Suite struct ShardedBatchSourceTests {
    @Test func shardsAreContiguousRowsOfTheSameGlobalBatch() throws {
        let task = try AddingProblem<Float>(sequenceLength: 6, batchSize: 8, batchesPerEpoch: 3, seed: 4)
        let whole = task.batch(epoch: 1, index: 2)
        let shards = try (0..<4).map { try ShardedBatchSource(task, shard: $0, of: 4) }
        let pieces = shards.map { $0.batch(epoch: 1, index: 2) }
        for piece in pieces {
            #expect(piece.inputs.shape == [6, 2, 2])
            #expect(piece.targets.shape == [2, 1])
        }
        #expect(Tensor.concatenate(pieces.map(\.inputs), alongAxis: 1) == whole.inputs)
        #expect(Tensor.concatenate(pieces.map(\.targets), alongAxis: 0) == whole.targets)
        #expect(shards[3].batchesPerEpoch == 3)
    }

    @Test func perStepTargetsShardAlongTheirBatchAxis() throws {
        let task = try CopyTask<Float>(delay: 5, batchSize: 6, batchesPerEpoch: 2, seed: 1)
        let whole = task.batch(epoch: 0, index: 1)
        let pieces = try (0..<3).map { try ShardedBatchSource(task, shard: $0, of: 3, inputAxis: 1, targetAxis: 1).batch(epoch: 0, index: 1) }
        #expect(Tensor.concatenate(pieces.map(\.targets), alongAxis: 1) == whole.targets)
        #expect(Tensor.concatenate(pieces.map(\.inputs), alongAxis: 1) == whole.inputs)
    }

    @Test func aBatchThatDoesNotSplitThrows() throws {
        let task = try AddingProblem<Float>(sequenceLength: 6, batchSize: 10, batchesPerEpoch: 1, seed: 4)
        #expect(throws: DistributedError.batchNotDivisible(batchSize: 10, ranks: 4)) { try ShardedBatchSource(task, shard: 0, of: 4) }
        #expect("\(DistributedError.batchNotDivisible(batchSize: 10, ranks: 4))".contains("not divisible by 4 ranks"))
    }

    @Test func launchersAreRecognizedByTheirEnvironment() {
        #expect(DistributedTraining.launchedRanks(environment: [:]) == nil)
        #expect(DistributedTraining.launchedRanks(environment: ["OMPI_COMM_WORLD_SIZE": "4"]) == 4)
        #expect(DistributedTraining.launchedRanks(environment: ["PMI_SIZE": "2"]) == 2)
        #expect(DistributedTraining.launchedRanks(environment: ["MV2_COMM_WORLD_SIZE": "8"]) == 8)
        #expect(DistributedTraining.launchedRanks(environment: ["OMPI_COMM_WORLD_SIZE": "x"]) == nil)
    }

    @Test func aTrainerIsOneProcessByDefault() {
        var generator = Xoshiro256StarStar(seed: 1)
        let trainer = Trainer(
            model: Dense<Float>(inputSize: 2, outputSize: 1, generator: &generator), loss: MeanSquaredError<Float>(),
            pipeline: SGD<Float>(learningRate: 0.1))
        #expect(trainer.collective.rank == 0 && trainer.collective.size == 1)
        #expect(SingleProcess().agree(on: .skipUpdate(reason: "x")) == .skipUpdate(reason: "x"))
    }
}
