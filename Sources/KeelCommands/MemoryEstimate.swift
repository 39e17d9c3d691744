import Foundation

/// The memory a `keel train` run needs, estimated from its sizes in floating point (so absurd
/// sizes cannot overflow) before anything is allocated: a run that cannot fit stops with "needs
/// N GB" instead of dying in the allocator.
///
/// The estimate is a lower bound of the dominant terms: parameters with their gradients,
/// optimizer moments and rollback snapshots (×8), and per layer and direction the activations a
/// training step caches for backpropagation (gate pre-activations plus state, ×2 for the
/// backward pass's temporaries) at the training batch and at the validation batch.
struct MemoryEstimate {
    var gates: Double
    var layers: Double
    var hidden: Double
    var directions: Double
    var inputSize: Double
    var outputSize: Double
    var vocabulary: Double
    var batch: Double
    var length: Double

    /// Bytes, as a `Double` (never overflows).
    var bytes: Double {
        var parameters = vocabulary * inputSize + (hidden * directions + 1) * outputSize
        var layerInput = inputSize
        for _ in 0..<Int(min(layers, 1_000_000)) {
            parameters += directions * gates * hidden * (layerInput + hidden + 2)
            layerInput = hidden * directions
        }
        if layers > 1_000_000 { parameters += (layers - 1_000_000) * directions * gates * hidden * (layerInput + hidden + 2) }
        let activations = length * batch * (inputSize + layers * directions * hidden * (gates + 3) + outputSize) * 2
        return 4 * (parameters * 8 + activations)
    }

    /// The memory of this machine in bytes.
    static var physicalMemory: Double { Double(ProcessInfo.processInfo.physicalMemory) }

    /// "12.5 GB".
    static func gigabytes(_ bytes: Double) -> String {
        let value = bytes / 1e9
        if value >= 1e6 { return String(format: "%.1e GB", value) }
        return String(format: value < 10 ? "%.1f GB" : "%.0f GB", value)
    }
}

extension TrainOptions {
    /// "needs N GB …" when the model and a batch cannot fit in this machine's memory, else nil.
    /// `data` gives the input, output and vocabulary sizes once the data is loaded; before that
    /// the smallest possible ones are assumed.
    func memoryProblem(data: (inputSize: Int, outputSize: Int, vocabulary: Int?)?) -> String? {
                let hidden = Double(self.hidden ?? 64)
        let vocabulary = data?.vocabulary.map(Double.init) ?? 0
        let input = vocabulary > 0 || text != nil ? Double(embeddingDimension ?? min(32, self.hidden ?? 64)) : Double(data?.inputSize ?? 1)
        let trainingLength = Double(sequenceLength ?? (text != nil ? 64 : 20))
        let batch = Double(batchSize ?? 32)
        let estimate = MemoryEstimate(
            gates: Double((cell ?? .lstm).gateCount), layers: Double(layers ?? 1), hidden: hidden,
            directions: bidirectional == true ? 2 : 1, inputSize: input, outputSize: Double(data?.outputSize ?? 1),
            vocabulary: vocabulary, batch: max(batch, task != nil || (text == nil && csv == nil && npyInputs == nil) ? 100 : batch),
            length: trainingLength)
        let needed = estimate.bytes
        let available = MemoryEstimate.physicalMemory
        guard needed > 0.8 * available else { return nil }
        return "the model and one batch need at least \(MemoryEstimate.gigabytes(needed)) of memory (hidden \(self.hidden ?? 64), layers \(layers ?? 1), batch-size \(batchSize ?? 32), sequence-length \(sequenceLength.map(String.init) ?? "default")); this machine has \(MemoryEstimate.gigabytes(available))"
    }
}
