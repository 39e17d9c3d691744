import CKeelMPI
import KeelCore
import Foundation

/// The processes of an MPI job (`MPI_COMM_WORLD`): rank, size and the collective operations
/// data-parallel training needs: in-place all-reduce of `Float`/`Double` buffers, broadcast,
/// barrier, and all-reduce of small flags and scalars.
///
/// Keel does not link MPI: ``world()`` loads the system's MPI library at run time (Open MPI's
/// `libmpi.so.40`, or an MPICH-ABI `libmpi.so.12`; `KEEL_MPI_LIBRARY` names another) and
/// initializes it once, with `MPI_THREAD_SERIALIZED` (call it from one thread at a time). Errors
/// use MPI's default handler, `MPI_ERRORS_ARE_FATAL`: a failing call or a dead rank ends the whole
/// job (`mpirun` kills the other ranks), so no rank waits forever in a collective.
///
/// ```swift
/// let world = try Communicator.world()          // under mpirun -np N
/// var gradient: [Float] = …
/// try world.allReduce(&gradient, .mean)          // every rank now holds the mean
/// ```
///
/// Every rank must make the same collective calls in the same order with the same counts, and
/// call ``finalize()`` once before it exits (`mpirun` treats an exit without it as a failure and
/// ends the job).
public final class Communicator: Sendable {
    /// The reduction of an all-reduce.
    public enum Operation: Sendable, Hashable {
        /// Σ over ranks.
        case sum
        /// Σ over ranks ÷ size.
        case mean
        /// The largest value over ranks.
        case max
        /// The smallest value over ranks.
        case min
    }

    /// This process's rank, 0 ..< ``size``.
    public let rank: Int
    /// The number of ranks.
    public let size: Int
    /// The MPI implementation loaded: "Open MPI" or "MPICH ABI".
    public let implementation: String

    private init(rank: Int, size: Int, implementation: String) {
        self.rank = rank
        self.size = size
        self.implementation = implementation
    }

    private static let shared: Result<Communicator, DistributedError> = {
        var message = [CChar](repeating: 0, count: 512)
        guard keel_mpi_load(&message, message.count) == 0 else {
            return .failure(.mpiUnavailable(detail: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        }
        let status = keel_mpi_initialize()
        guard status == 0 else { return .failure(.mpiCallFailed(call: "MPI_Init_thread", code: status)) }
        return .success(Communicator(rank: Int(keel_mpi_rank()), size: Int(keel_mpi_size()), implementation: String(cString: keel_mpi_implementation())))
    }()

    /// All processes of the job (`MPI_COMM_WORLD`), initializing MPI on first use. Run without
    /// `mpirun`, it is one rank of size 1.
    ///
    /// - Throws: ``DistributedError/mpiUnavailable(detail:)`` ("distributed training needs an MPI
    ///   library: apt-get install openmpi-bin") when no MPI library can be loaded.
    public static func world() throws -> Communicator { try shared.get() }

    /// Whether an MPI library can be loaded on this machine (without initializing it).
    public static var isLibraryAvailable: Bool {
        var message = [CChar](repeating: 0, count: 512)
        return keel_mpi_load(&message, message.count) == 0
    }

    /// Reduces `buffer` in place over all ranks: afterwards every rank holds the result.
    public func allReduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ operation: Operation) throws {
        guard size > 1 else { return }
        try check("MPI_Allreduce", keel_mpi_allreduce_float(buffer.baseAddress, Int64(buffer.count), Self.cOperation(operation)))
        if operation == .mean { Self.scale(buffer, by: 1 / Float(size)) }
    }

    /// Reduces `buffer` in place over all ranks: afterwards every rank holds the result.
    public func allReduce(_ buffer: UnsafeMutableBufferPointer<Double>, _ operation: Operation) throws {
        guard size > 1 else { return }
        try check("MPI_Allreduce", keel_mpi_allreduce_double(buffer.baseAddress, Int64(buffer.count), Self.cOperation(operation)))
        if operation == .mean { Self.scale(buffer, by: 1 / Double(size)) }
    }

    /// Reduces `values` in place over all ranks.
    public func allReduce(_ values: inout [Float], _ operation: Operation) throws {
        try values.withUnsafeMutableBufferPointer { try allReduce($0, operation) }
    }

    /// Reduces `values` in place over all ranks.
    public func allReduce(_ values: inout [Double], _ operation: Operation) throws {
        try values.withUnsafeMutableBufferPointer { try allReduce($0, operation) }
    }

    /// One scalar reduced over all ranks (a loss, a count, a flag as 0/1).
    public func allReduce(_ value: Double, _ operation: Operation) throws -> Double {
        var values = [value]
        try allReduce(&values, operation)
        return values[0]
    }

    /// Whether `flag` holds on any rank.
    public func any(_ flag: Bool) throws -> Bool { try allReduce(flag ? 1 : 0, .max) > 0 }

    /// Whether `flag` holds on every rank.
    public func all(_ flag: Bool) throws -> Bool { try allReduce(flag ? 1 : 0, .min) > 0 }

    /// Copies `root`'s bytes of `buffer` to every rank (all ranks pass buffers of the same size).
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int = 0) throws {
        guard size > 1, buffer.count > 0 else { return }
        try check("MPI_Bcast", keel_mpi_broadcast(buffer.baseAddress, Int64(buffer.count), Int32(root)))
    }

    /// `root`'s `bytes`, on every rank; the other ranks' arguments are ignored (any length).
    public func broadcast(_ bytes: [UInt8], from root: Int = 0) throws -> [UInt8] {
        guard size > 1 else { return bytes }
        var length = UInt64(bytes.count)
        try withUnsafeMutableBytes(of: &length) { try broadcast($0, from: root) }
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length))
        try result.withUnsafeMutableBytes { try broadcast($0, from: root) }
        return result
    }

    /// Returns when every rank has called it.
    public func barrier() throws {
        guard size > 1 else { return }
        try check("MPI_Barrier", keel_mpi_barrier())
    }

    /// Ends every rank of the job with exit status `code` (`MPI_Abort`).
    public func abort(code: Int32 = 1) -> Never {
        keel_mpi_abort(code)
        exit(code)
    }

    /// A 64-bit hash of the running executable's bytes: ranks compare it at start so that all
    /// run the same build (0 when the executable cannot be read).
    public static var buildFingerprint: UInt64 {
        #if os(Linux)
        let path = "/proc/self/exe"
        #else
        let path = Bundle.main.executablePath ?? CommandLine.arguments[0]
        #endif
        return keel_file_hash(path)
    }

    /// Shuts MPI down (`MPI_Finalize`); every rank calls it once, after its last collective.
    public func finalize() throws {
        try check("MPI_Finalize", keel_mpi_finalize())
    }

    private func check(_ call: String, _ status: Int32) throws {
        guard status == 0 else { throw DistributedError.mpiCallFailed(call: call, code: status) }
    }

    private static func cOperation(_ operation: Operation) -> keel_mpi_operation {
        switch operation {
        case .sum, .mean: KEEL_MPI_SUM
        case .max: KEEL_MPI_MAX
        case .min: KEEL_MPI_MIN
        }
    }

    private static func scale(_ buffer: UnsafeMutableBufferPointer<Float>, by factor: Float) {
        guard let base = buffer.baseAddress else { return }
        Kernels.binary(.multiply, count: buffer.count, base, 1, [factor], 0, base)
    }

    private static func scale(_ buffer: UnsafeMutableBufferPointer<Double>, by factor: Double) {
        guard let base = buffer.baseAddress else { return }
        Kernels.binary(.multiply, count: buffer.count, base, 1, [factor], 0, base)
    }
}
