import CKeelKernels

/// Process-wide settings of Keel's compute kernels: which instruction-set path runs, how many
/// threads large products use, and whether subnormal numbers are flushed to zero.
///
/// Kernels pick the fastest path the CPU supports at run time (AVX-512, AVX2 + FMA, NEON, or the
/// portable C path); ``Kernels/path`` can force another one, which tests use to check every path.
public enum Kernels {
    /// An instruction-set path of the C kernels.
    public enum Path: Int, Sendable, CaseIterable, CustomStringConvertible {
        /// Plain C, any CPU.
        case portable = 0
        /// x86-64 AVX2 with FMA.
        case avx2 = 1
        /// x86-64 AVX-512F.
        case avx512 = 2
        /// arm64 Advanced SIMD.
        case neon = 3

        /// Whether this CPU can run the path.
        public var isSupported: Bool { keel_kernel_path_supported(keel_kernel_path(UInt32(rawValue))) }

        public var description: String {
            switch self {
            case .portable: "portable"
            case .avx2: "avx2"
            case .avx512: "avx512"
            case .neon: "neon"
            }
        }
    }

    /// The paths this CPU supports, slowest first.
    public static var supportedPaths: [Path] { Path.allCases.filter(\.isSupported) }

    /// The fastest path this CPU supports.
    public static var bestPath: Path { Path(rawValue: Int(keel_best_kernel_path().rawValue)) ?? .portable }

    /// The path kernels use now on this thread (a ``withPath(_:_:)`` override, else the
    /// process-wide path). Setting it changes the process-wide path; setting an unsupported path is
    /// a programmer error.
    public static var path: Path {
        get { Path(rawValue: Int(keel_current_kernel_path().rawValue)) ?? .portable }
        set {
            precondition(newValue.isSupported, "Kernels.path: \(newValue) is not supported on this CPU")
            _ = keel_set_kernel_path(keel_kernel_path(UInt32(newValue.rawValue)))
        }
    }

    /// Threads that multithreaded kernels (GEMM) use. Defaults to the `KEEL_NUM_THREADS`
    /// environment variable, else the number of online cores.
    public static var threadCount: Int {
        get { Int(keel_num_threads()) }
        set {
            precondition(newValue >= 1, "Kernels.threadCount: \(newValue) must be at least 1")
            keel_set_num_threads(Int32(newValue))
        }
    }

    /// CPUs this process may run on: its affinity mask on Linux (so `taskset -c 0-3` gives 4),
    /// else the online cores. ``threadCount`` defaults to the online cores, not this.
    public static var availableCPUCount: Int { Int(keel_available_cpus()) }

    /// Whether kernels run with flush-to-zero and denormals-are-zero (default `true`).
    ///
    /// Subnormal intermediates (vanishing gradients in long BPTT chains produce them) make x86
    /// arithmetic 10–100× slower; PyTorch's tanh RNN runs 10× slower on such data unless
    /// `torch.set_flush_denormal(True)`. Keel sets FTZ/DAZ only while its own kernels run and
    /// restores the caller's floating-point state afterwards. The cost: values below the smallest
    /// normal number (1.2e-38 in `Float`) read and write as zero inside kernels.
    public static var flushesDenormals: Bool {
        get { keel_flush_denormals() }
        set { keel_set_flush_denormals(newValue) }
    }

    /// Runs `body` with `path` forced for the kernel calls made on the current thread (products
    /// split over worker threads included), then restores the thread's previous setting. Other
    /// threads keep ``path``, so tests can force paths in parallel.
    public static func withPath<R>(_ path: Path, _ body: () throws -> R) rethrows -> R {
        precondition(path.isSupported, "Kernels.withPath: \(path) is not supported on this CPU")
        let previous = keel_thread_kernel_path()
        _ = keel_set_thread_kernel_path(Int32(path.rawValue))
        defer { _ = keel_set_thread_kernel_path(previous) }
        return try body()
    }
}
