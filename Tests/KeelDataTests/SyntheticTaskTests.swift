import Testing
import KeelData

/// Mean squared error of a constant prediction over `batches` batches of a regression task.
private func constantPredictorMSE<T: SyntheticTask>(_ task: T, prediction: Double, batches: Int) -> Double {
    var sum = 0.0
    var count = 0
    for index in 0..<batches {
        for target in task.batch(epoch: 0, index: index).targets.scalars {
            let error = Double(target) - prediction
            sum += error * error
            count += 1
        }
    }
    return sum / Double(count)
}

@Suite struct SyntheticTaskTests {
    @Test func addingArjovskyLayoutAndBaseline() throws {
        let task = try AddingProblem<Double>(variant: .arjovsky2016, sequenceLength: 40, batchSize: 50, batchesPerEpoch: 400, seed: 3)
        let batch = task.batch(epoch: 0, index: 0)
        #expect(batch.inputs.shape == [40, 50, 2])
        #expect(batch.targets.shape == [50, 1])
        for b in 0..<50 {
            let markers = (0..<40).filter { batch.inputs[scalarAt: $0, b, 1] == 1 }
            #expect(markers.count == 2)
            #expect(markers[0] < 20 && markers[1] >= 20)
            #expect((0..<40).allSatisfy { [0, 1].contains(batch.inputs[scalarAt: $0, b, 1]) })
            let sum = batch.inputs[scalarAt: markers[0], b, 0] + batch.inputs[scalarAt: markers[1], b, 0]
            #expect(abs(batch.targets[scalarAt: b, 0] - sum) < 1e-12)
        }
        let mse = constantPredictorMSE(task, prediction: 1, batches: 400)
        #expect(abs(task.baselineLoss - 1.0 / 6.0) < 1e-12)
        #expect(abs(mse - task.baselineLoss) < 0.006, "empirical \(mse)")
    }

    @Test func addingPascanuLayoutAndBaseline() throws {
        let task = try AddingProblem<Double>(variant: .pascanu2013, sequenceLength: 50, batchSize: 50, batchesPerEpoch: 400, seed: 4)
        var lengths = Set<Int>()
        for index in 0..<40 {
            let batch = task.batch(epoch: 0, index: index)
            let length = batch.inputs.shape[0]
            lengths.insert(length)
            #expect((50..<55).contains(length))
            for b in 0..<50 {
                let markers = (0..<length).filter { batch.inputs[scalarAt: $0, b, 1] == 1 }
                #expect(markers.count == 2)
                let tenth = Int(0.1 * Double(length))
                #expect(markers[0] < tenth && markers[1] >= tenth && markers[1] < tenth + Int(0.4 * Double(length)))
                let mean = (batch.inputs[scalarAt: markers[0], b, 0] + batch.inputs[scalarAt: markers[1], b, 0]) / 2
                #expect(abs(batch.targets[scalarAt: b, 0] - mean) < 1e-12)
            }
        }
        #expect(lengths.count > 1)
        let mse = constantPredictorMSE(task, prediction: 0.5, batches: 400)
        #expect(abs(mse - 1.0 / 24.0) < 0.0015, "empirical \(mse)")
        let fixed = try AddingProblem<Float>(variant: .pascanu2013, sequenceLength: 50, fixedLength: true, seed: 4)
        #expect((0..<10).allSatisfy { fixed.batch(epoch: 0, index: $0).inputs.shape[0] == 50 })
    }

    @Test func addingHochreiterSchmidhuberLayoutAndBaseline() throws {
        let task = try AddingProblem<Double>(variant: .hochreiterSchmidhuber1997, sequenceLength: 100, batchSize: 50, batchesPerEpoch: 400, seed: 5)
        for index in 0..<20 {
            let batch = task.batch(epoch: 1, index: index)
            let length = batch.inputs.shape[0]
            #expect((100...110).contains(length))
            for b in 0..<50 {
                let marked = (0..<length).filter { batch.inputs[scalarAt: $0, b, 1] == 1 }
                #expect(marked.count == 2)
                #expect(marked.contains { $0 < 10 } && marked.allSatisfy { $0 < 49 })
                if !marked.contains(0) { #expect(batch.inputs[scalarAt: 0, b, 1] == -1) }
                #expect(batch.inputs[scalarAt: length - 1, b, 1] == -1)
                let values = marked.map { $0 == 0 ? 0 : batch.inputs[scalarAt: $0, b, 0] }
                #expect(abs(batch.targets[scalarAt: b, 0] - (0.5 + (values[0] + values[1]) / 4)) < 1e-12)
            }
        }
        let mse = constantPredictorMSE(task, prediction: 0.5, batches: 400)
        #expect(abs(mse - task.baselineLoss) < 0.0012, "empirical \(mse) vs \(task.baselineLoss)")
        #expect(throws: DataConfigurationError.self) { try AddingProblem<Float>(variant: .hochreiterSchmidhuber1997, sequenceLength: 20) }
    }

    @Test func multiplicationTargetsAndBaselines() throws {
        for variant in MultiplicationProblem<Double>.Variant.allCases {
            let task = try MultiplicationProblem<Double>(variant: variant, sequenceLength: 60, batchSize: 50, batchesPerEpoch: 400, seed: 6)
            let batch = task.batch(epoch: 0, index: 0)
            for b in 0..<50 {
                let marked = (0..<batch.inputs.shape[0]).filter { batch.inputs[scalarAt: $0, b, 1] == 1 }
                #expect(marked.count == 2)
                let values = marked.map { variant == .hochreiterSchmidhuber1997 && $0 == 0 ? 1 : batch.inputs[scalarAt: $0, b, 0] }
                #expect(abs(batch.targets[scalarAt: b, 0] - values[0] * values[1]) < 1e-12)
            }
            var all: [Double] = []
            for index in 0..<400 { all += task.batch(epoch: 0, index: index).targets.scalars }
            let mean = all.reduce(0, +) / Double(all.count)
            let variance = all.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(all.count)
            #expect(abs(variance - task.baselineLoss) < 0.003, "\(variant): empirical \(variance) vs \(task.baselineLoss)")
        }
        #expect(abs(try MultiplicationProblem<Float>().baselineLoss - 7.0 / 144.0) < 1e-12)
    }

    @Test(arguments: TemporalOrderProblem<Double>.Variant.allCases)
    func temporalOrderLayout(variant: TemporalOrderProblem<Double>.Variant) throws {
        let length = 100
        let task = try TemporalOrderProblem<Double>(variant: variant, sequenceLength: length, batchSize: 200, seed: 7)
        let batch = task.batch(epoch: 0, index: 0)
        #expect(batch.inputs.shape == [length, 200, 6])
        #expect(batch.targets.shape == [200])
        let windows = variant == .twoSymbols ? [10..<20, 50..<60] : [10..<20, 30..<40, 60..<70]
        var classes = Set<Int>()
        for b in 0..<200 {
            var symbols: [Int] = []
            for t in 0..<length {
                let row = (0..<6).map { batch.inputs[scalarAt: t, b, $0] }
                #expect(row.reduce(0, +) == 1)
                symbols.append(row.firstIndex(of: 1)!)
            }
            let relevant = symbols.indices.filter { symbols[$0] < 2 }
            #expect(relevant.count == windows.count)
            #expect(zip(relevant, windows).allSatisfy { $1.contains($0) })
            let label = relevant.enumerated().reduce(0) { $0 + (symbols[$1.element] << $1.offset) }
            #expect(Int(batch.targets[scalarAt: b]) == label)
            classes.insert(label)
        }
        #expect(classes.count == task.classCount)
        #expect(abs(task.baselineLoss - (variant == .twoSymbols ? 1.3862943611198906 : 2.0794415416798357)) < 1e-12)
    }

    @Test func randomPermutationLayout() throws {
        let task = try RandomPermutationProblem<Float>(sequenceLength: 30, batchSize: 40, seed: 8)
        let batch = task.batch(epoch: 2, index: 3)
        #expect(batch.inputs.shape == [30, 40, 100])
        #expect(batch.targets.shape == [40])
        for b in 0..<40 {
            let first = (0..<100).first { batch.inputs[scalarAt: 0, b, $0] == 1 }!
            #expect(first < 2 && Float(first) == batch.targets[scalarAt: b])
            for t in 1..<30 {
                let symbol = (0..<100).filter { batch.inputs[scalarAt: t, b, $0] == 1 }
                #expect(symbol.count == 1 && symbol[0] >= 2)
            }
        }
        #expect(abs(task.baselineLoss - 0.6931471805599453) < 1e-12)
    }

    @Test func noiselessMemorizationLayout() throws {
        let task = try NoiselessMemorizationProblem<Float>(delay: 20, valueCount: 5, patternLength: 10, batchSize: 8, seed: 9)
        let batch = task.batch(epoch: 0, index: 0)
        #expect(batch.inputs.shape == [40, 8, 7])
        #expect(batch.targets.shape == [40, 8])
        for b in 0..<8 {
            let symbols = (0..<40).map { t in (0..<7).first { batch.inputs[scalarAt: t, b, $0] == 1 }! }
            #expect(symbols[0..<10].allSatisfy { $0 < 5 })
            #expect(symbols[10..<30].allSatisfy { $0 == 5 })
            #expect(symbols[30] == 6)
            #expect(symbols[31...].allSatisfy { $0 == 5 })
            let targets = (0..<40).map { Int(batch.targets[scalarAt: $0, b]) }
            #expect(targets[0..<30].allSatisfy { $0 == 5 })
            #expect(Array(targets[30...]) == Array(symbols[0..<10]))
        }
        #expect(abs(task.baselineLoss - 10 * 1.6094379124341003 / 40) < 1e-12)
    }

    @Test func copyTaskLayoutAndBaseline() throws {
        let task = try CopyTask<Float>(delay: 100, batchSize: 16, seed: 10)
        let batch = task.batch(epoch: 0, index: 0)
        #expect(batch.inputs.shape == [120, 16, 10])
        #expect(batch.targets.shape == [120, 16])
        #expect(task.target == .sequenceClassification(classes: 9))
        for b in 0..<16 {
            let symbols = (0..<120).map { t in (0..<10).first { batch.inputs[scalarAt: t, b, $0] == 1 }! }
            #expect(symbols[0..<10].allSatisfy { $0 < 8 })
            #expect(symbols[10..<109].allSatisfy { $0 == 8 })  // T − 1 = 99 blanks
            #expect(symbols[109] == 9)
            #expect(symbols[110...].allSatisfy { $0 == 8 })
            let targets = (0..<120).map { Int(batch.targets[scalarAt: $0, b]) }
            #expect(targets[0..<110].allSatisfy { $0 == 8 })
            #expect(Array(targets[110...]) == Array(symbols[0..<10]))
        }
        #expect(abs(task.baselineLoss - 0.1733) < 5e-5)
        #expect(abs(try CopyTask<Float>(delay: 500).baselineLoss - 0.0400) < 5e-5)
        // The memoryless strategy's empirical cross-entropy equals the baseline exactly.
        var loss = 0.0
        for t in 0..<120 {
            for b in 0..<16 {
                loss += Int(batch.targets[scalarAt: t, b]) == 8 && t < 110 ? 0 : 2.0794415416798357
            }
        }
        #expect(abs(loss / Double(120 * 16) - task.baselineLoss) < 1e-12)
    }

    @Test func batchesAreDeterministicAndDistinct() throws {
        let tasks: [any SyntheticTask<Float>] = [
            try AddingProblem<Float>(seed: 1), try AddingProblem<Float>(variant: .pascanu2013, seed: 1),
            try AddingProblem<Float>(variant: .hochreiterSchmidhuber1997, seed: 1), try MultiplicationProblem<Float>(seed: 1),
            try MultiplicationProblem<Float>(variant: .hochreiterSchmidhuber1997, seed: 1),
            try TemporalOrderProblem<Float>(seed: 1), try TemporalOrderProblem<Float>(variant: .threeBits, seed: 1),
            try RandomPermutationProblem<Float>(seed: 1), try NoiselessMemorizationProblem<Float>(seed: 1), try CopyTask<Float>(seed: 1),
        ]
        for task in tasks {
            let a = task.batch(epoch: 3, index: 5)
            let b = task.batch(epoch: 3, index: 5)
            #expect(a.inputs == b.inputs && a.targets == b.targets)
            #expect(a.inputs.shape[2] == task.inputFeatures)
            let otherIndex = task.batch(epoch: 3, index: 6)
            let otherEpoch = task.batch(epoch: 4, index: 5)
            #expect(a.inputs != otherIndex.inputs || a.targets != otherIndex.targets)
            #expect(a.inputs != otherEpoch.inputs || a.targets != otherEpoch.targets)
        }
        let float = try CopyTask<Float>(seed: 2).batch(epoch: 0, index: 0)
        let double = try CopyTask<Double>(seed: 2).batch(epoch: 0, index: 0)
        #expect(float.targets.scalars.map(Double.init) == double.targets.scalars)
    }

    @Test func invalidConfigurationsThrow() {
        #expect(throws: DataConfigurationError.self) { try AddingProblem<Float>(sequenceLength: 1) }
        #expect(throws: DataConfigurationError.self) { try AddingProblem<Float>(batchSize: 0) }
        #expect(throws: DataConfigurationError.self) { try TemporalOrderProblem<Float>(sequenceLength: 9) }
        #expect(throws: DataConfigurationError.self) { try CopyTask<Float>(delay: 0) }
        #expect(throws: DataConfigurationError.self) { try NoiselessMemorizationProblem<Float>(valueCount: 1) }
        #expect(throws: DataConfigurationError.self) { try RandomPermutationProblem<Float>(symbolCount: 2) }
    }
}
