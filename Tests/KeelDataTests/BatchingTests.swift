import Testing
import KeelData

@Suite struct BatchingTests {
    @Test func shufflerIsAPermutationAndUnbiased() {
        var generator = Xoshiro256StarStar(seed: 1)
        let order = Shuffler.permutation(count: 100, using: &generator)
        #expect(order.sorted() == Array(0..<100) && order != Array(0..<100))
        var counts = [Int](repeating: 0, count: 6)  // 3! orders of three elements
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
        for _ in 0..<6000 {
            counts[orders.firstIndex(of: Shuffler.permutation(count: 3, using: &generator))!] += 1
        }
        #expect(counts.allSatisfy { abs($0 - 1000) < 120 }, "\(counts)")
        var again = Xoshiro256StarStar(seed: 1)
        #expect(Shuffler.permutation(count: 100, using: &again) == order)
        #expect((0..<1000).allSatisfy { _ in (0..<7).contains(Shuffler.uniformInteger(below: 7, using: &generator)) })
    }

    @Test func batchSeedsDiffer() {
        let keys = Set((0..<10).flatMap { epoch in (0..<10).map { BatchSeed.key(seed: 5, epoch: epoch, index: $0) } })
        #expect(keys.count == 100)
        #expect(BatchSeed.key(seed: 5, epoch: 1, index: 2) == BatchSeed.key(seed: 5, epoch: 1, index: 2))
        #expect(BatchSeed.key(seed: 5, epoch: 1, index: 2) != BatchSeed.key(seed: 6, epoch: 1, index: 2))
    }

    @Test func tensorBatchSourceCoversEveryExampleOncePerEpoch() throws {
        let inputs = Tensor<Float>(shape: [10, 3, 2], scalars: (0..<60).map(Float.init))
        let targets = Tensor<Float>(shape: [10], scalars: (0..<10).map(Float.init))
        let source = try TensorBatchSource(inputs: inputs, targets: targets, batchSize: 4, shuffleSeed: 9)
        #expect(source.batchesPerEpoch == 3)
        var seen: [Float] = []
        for index in 0..<3 {
            let batch = source.batch(epoch: 0, index: index)
            seen += batch.targets.scalars
            for (row, example) in batch.targets.scalars.enumerated() {
                #expect(batch.inputs[row] == inputs[Int(example)])
            }
        }
        #expect(seen.sorted() == (0..<10).map(Float.init) && seen != (0..<10).map(Float.init))
        #expect(source.batch(epoch: 0, index: 2).targets.shape == [2])
        #expect(source.batch(epoch: 0, index: 1).targets == source.batch(epoch: 0, index: 1).targets)
        #expect(source.batch(epoch: 1, index: 0).targets != source.batch(epoch: 0, index: 0).targets)
        let dropping = try TensorBatchSource(inputs: inputs, targets: targets, batchSize: 4, dropLast: true, timeMajor: true)
        #expect(dropping.batchesPerEpoch == 2)
        let timeMajor = dropping.batch(epoch: 0, index: 1)
        #expect(timeMajor.inputs.shape == [3, 4, 2])
        #expect(timeMajor.inputs == inputs.slice(4..<8).swappingAxes(0, 1))
        #expect(throws: DataConfigurationError.self) {
            try TensorBatchSource(inputs: inputs, targets: Tensor<Float>.zeros([9]), batchSize: 2)
        }
        #expect(throws: DataConfigurationError.self) { try TensorBatchSource(inputs: inputs, targets: targets, batchSize: 11, dropLast: true) }
    }
}
