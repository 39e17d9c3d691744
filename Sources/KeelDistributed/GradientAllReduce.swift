import KeelCore

/// Averages gradients over the ranks of a ``Communicator``: the data-parallel stage of a
/// gradient pipeline, placed **first** so that every later stage (a clipper's global norm, the
/// optimizer) sees the gradient of the global batch, identically on every rank.
///
/// g ← (1/N) Σ_r g_r, N the number of ranks. The tensors are packed, in parameter order, into
/// one flat buffer of at most ``bucketBytes`` bytes (25 MB by default, as PyTorch DDP's
/// `bucket_cap_mb`), reduced with one `MPI_Allreduce` per bucket, and unpacked: a few calls per
/// step, not one per small tensor. With one rank it is the identity.
///
/// ```swift
/// let pipeline = Chain { GradientAllReduce<Float>(communicator: world); GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 3e-3) }
/// ```
///
/// In a ``Trainer``, use `DataParallel` instead: it runs this same reduction before the step's
/// statistics, so monitors also see the averaged gradient (see `TrainingCollective`).
///
/// ## References
/// - Sergeev & Del Balso, "Horovod: fast and easy distributed deep learning in TensorFlow", 2018.
/// - Li et al., "PyTorch Distributed: Experiences on Accelerating Data Parallel Training", VLDB 2020
///   (gradient bucketing).
public struct GradientAllReduce<Scalar: TensorScalar>: GradientTransform {
    /// No state: the reduction is the same every step.
    public struct State: Codable, Sendable, Hashable {}

    /// The ranks that share the gradients.
    public let communicator: Communicator
    /// The largest flat buffer reduced in one call, in bytes (≥ one scalar).
    public let bucketBytes: Int

    /// Averages over `communicator`'s ranks in buckets of at most `bucketBytes` bytes.
    public init(communicator: Communicator, bucketBytes: Int = 25 * 1024 * 1024) {
        precondition(bucketBytes >= MemoryLayout<Scalar>.stride, "GradientAllReduce: bucketBytes \(bucketBytes) is smaller than one scalar")
        self.communicator = communicator
        self.bucketBytes = bucketBytes
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>) throws {
        try average(&updates)
    }

    /// Replaces `gradients` on every rank with their mean over the ranks.
    public func average(_ gradients: inout ParameterSet<Scalar>) throws {
        guard communicator.size > 1, !gradients.isEmpty else { return }
        let capacity = max(1, bucketBytes / MemoryLayout<Scalar>.stride)
        var bucket = [Scalar](repeating: 0, count: min(capacity, gradients.scalarCount))
        // Pieces of tensors in the current bucket: (tensor index, offset in tensor, count).
        var pieces: [(tensor: Int, offset: Int, count: Int)] = []
        var filled = 0
        func flush() throws {
            guard filled > 0 else { return }
            try bucket.withUnsafeMutableBufferPointer { buffer in
                try Self.sum(UnsafeMutableBufferPointer(rebasing: buffer[0..<filled]), over: communicator)
            }
            var position = 0
            for piece in pieces {
                gradients.withTensor(at: piece.tensor) { tensor in
                    tensor.withUnsafeMutableBufferPointer { destination in
                        bucket.withUnsafeBufferPointer { source in
                            (destination.baseAddress! + piece.offset).update(from: source.baseAddress! + position, count: piece.count)
                        }
                    }
                }
                position += piece.count
            }
            pieces.removeAll(keepingCapacity: true)
            filled = 0
        }
        for index in 0..<gradients.count {
            let tensor = gradients.tensors[index]
            var offset = 0
            while offset < tensor.scalarCount {
                let count = min(tensor.scalarCount - offset, capacity - filled)
                tensor.withUnsafeBufferPointer { source in
                    bucket.withUnsafeMutableBufferPointer { destination in
                        (destination.baseAddress! + filled).update(from: source.baseAddress! + offset, count: count)
                    }
                }
                pieces.append((index, offset, count))
                filled += count
                offset += count
                if filled == capacity { try flush() }
            }
        }
        try flush()
        gradients.scale(by: 1 / Scalar(communicator.size))
    }

    /// Sums `buffer` over the ranks in place, as `Float` or `Double` (the only `TensorScalar`s).
    static func sum(_ buffer: UnsafeMutableBufferPointer<Scalar>, over communicator: Communicator) throws {
        let raw = UnsafeMutableRawBufferPointer(buffer)
        if Scalar.self == Float.self {
            try communicator.allReduce(raw.bindMemory(to: Float.self), .sum)
        } else if Scalar.self == Double.self {
            try communicator.allReduce(raw.bindMemory(to: Double.self), .sum)
        } else {
            preconditionFailure("GradientAllReduce: \(Scalar.self) is neither Float nor Double")
        }
    }
}
