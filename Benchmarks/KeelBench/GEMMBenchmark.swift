// `keel-bench gemm`: float32 GEMM throughput of keel_sgemm against NumPy (np.matmul, OpenBLAS)
// measured alternately in the same run, for 1 and 2 threads, on square and recurrent-network shapes
// (the shape list of shared/bench/anchors/numpy_gemm.py).

import CKeelKernels

enum GEMMBenchmark {
    static let command = Subcommand(
        name: "gemm",
        summary: "float32 GEMM GFLOP/s, Keel vs NumPy (square and RNN forward/dW/dX shapes)",
        usage: """
            usage: keel-bench gemm [--threads 1,2] [--quick] [--rounds N] [--min-time SECONDS]
                                   [--layout nn|backward] [--no-numpy]

              --threads LIST     thread counts to measure (default 1,2)
              --quick            a subset of the shapes and shorter timing
              --rounds N         alternate Keel and NumPy N times per shape and keep each side's best
                                 median (default 2, 1 with --quick)
              --min-time S       seconds of timing per shape, side and round (default 0.2)
              --layout nn        every product as C = A[M,K] B[K,N], as numpy_gemm.py does (default)
              --layout backward  dW rows as Aᵀ·B (A stored K x M) and dX rows as A·Bᵀ (B stored N x K),
                                 the layouts of backpropagation; the same views are given to NumPy
              --no-numpy         measure Keel alone

            Shapes (M x K x N): square 128..2048; rnn-fwd B x H x 4H; rnn-dW H x B x 4H; rnn-dX B x 4H x H;
            B in 32, 64, 128 and H in 256, 512, 1024. Keel: warm-up, then samples of >= 2 ms for
            min-time seconds, median. NumPy: the same, in a python3 subprocess per thread count.
            """,
        run: { arguments in try run(arguments) })

    struct Shape {
        let kind: String
        let m: Int, k: Int, n: Int
        var flops: Double { 2.0 * Double(m) * Double(n) * Double(k) }
        var label: String { "\(m)×\(k)×\(n)" }
    }

    static func shapes(quick: Bool) -> [Shape] {
        var list: [Shape] = []
        for size in quick ? [256, 1024] : [128, 256, 512, 1024, 2048] {
            list.append(Shape(kind: "square", m: size, k: size, n: size))
        }
        let pairs: [(Int, Int)] = quick
            ? [(32, 256), (64, 512), (128, 1024)]
            : [32, 64, 128].flatMap { b in [256, 512, 1024].map { h in (b, h) } }
        for (b, h) in pairs { list.append(Shape(kind: "rnn-fwd", m: b, k: h, n: 4 * h)) }
        for (b, h) in pairs { list.append(Shape(kind: "rnn-dW", m: h, k: b, n: 4 * h)) }
        for (b, h) in pairs { list.append(Shape(kind: "rnn-dX", m: b, k: 4 * h, n: h)) }
        return list
    }

    /// "nn", "tn" (A stored transposed) or "nt" (B stored transposed) for a shape.
    static func layout(of shape: Shape, backward: Bool) -> String {
        guard backward else { return "nn" }
        switch shape.kind {
        case "rnn-dW": return "tn"
        case "rnn-dX": return "nt"
        default: return "nn"
        }
    }

    /// Keel's seconds per call for one shape.
    static func measureKeel(_ shape: Shape, layout: String, minTime: Double) -> Samples {
        let (m, k, n) = (shape.m, shape.k, shape.n)
        let transA = layout == "tn", transB = layout == "nt"
        let a = randomFloats(m * k, seed: 1), b = randomFloats(k * n, seed: 2)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        c.initialize(repeating: 0, count: m * n)
        defer {
            a.deallocate()
            b.deallocate()
            c.deallocate()
        }
        let lda = transA ? m : k, ldb = transB ? k : n
        return measure(minTime: minTime) {
            keel_sgemm(transA, transB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
        }
    }

    static func run(_ arguments: [String]) throws {
        let options = try Options(arguments, flags: ["--quick", "--no-numpy"],
                                  options: ["--threads", "--rounds", "--min-time", "--layout"])
        let quick = options.flag("--quick")
        let threadCounts = try options.intList("--threads", default: [1, 2])
        let rounds = try options.int("--rounds", default: quick ? 1 : 2, range: 1...100)
        let minTime = try options.double("--min-time", default: quick ? 0.1 : 0.2)
        let layoutName = options.string("--layout") ?? "nn"
        guard layoutName == "nn" || layoutName == "backward" else {
            throw UsageError("--layout expects nn or backward, got '\(layoutName)'")
        }
        let backward = layoutName == "backward"
        let list = shapes(quick: quick)

        if let warning = buildWarning() { print(warning) }
        print("keel-bench gemm: float32, row-major, C = op(A)·op(B), beta = 0; layout \(layoutName); "
            + "Keel kernel path \(kernelPathName(keel_current_kernel_path()))")
        print("GFLOP/s = 2·M·K·N / median seconds per call; each side's best median over \(rounds) round(s) "
            + "of alternating Keel / NumPy measurements")

        let savedThreads = keel_num_threads()
        defer { keel_set_num_threads(Int32(savedThreads)) }
        for threads in threadCounts {
            keel_set_num_threads(Int32(threads))
            var peer: NumPyPeer?
            if !options.flag("--no-numpy") {
                do {
                    peer = try NumPyPeer(threads: threads)
                } catch {
                    print("NumPy unavailable (\(error)); printing Keel's numbers alone")
                }
            }
            print("\nthreads = \(threads)" + (peer.map { ", peer: \($0.name)" } ?? ""))
            var table = Table(peer == nil
                ? ["kind", "M×K×N", "layout", "Keel GFLOP/s"]
                : ["kind", "M×K×N", "layout", "Keel GFLOP/s", "NumPy GFLOP/s", "Keel/NumPy"])
            var ratios: [Double] = []
            for shape in list {
                let layout = layout(of: shape, backward: backward)
                var keelBest = Double.infinity, numpyBest = Double.infinity
                for _ in 0..<rounds {
                    keelBest = min(keelBest, measureKeel(shape, layout: layout, minTime: minTime).median)
                    if let peer, let result = peer.measure(m: shape.m, k: shape.k, n: shape.n, layout: layout, minTime: minTime) {
                        numpyBest = min(numpyBest, result.median)
                    }
                }
                let keelRate = shape.flops / keelBest / 1e9
                var row = [shape.kind, shape.label, layout, format(keelRate)]
                if peer != nil {
                    let numpyRate = shape.flops / numpyBest / 1e9
                    let ratio = keelRate / numpyRate
                    if ratio.isFinite { ratios.append(ratio) }
                    row += [format(numpyRate), format(ratio, digits: 2) + (ratio < 0.9 ? " *" : "")]
                }
                table.add(row)
            }
            print(table.render(), terminator: "")
            if !ratios.isEmpty {
                let below = ratios.filter { $0 < 0.9 }.count
                print("Keel/NumPy: min \(format(ratios.min()!, digits: 2)), median \(format(Samples(values: ratios).median, digits: 2)); "
                    + "\(below) row(s) below 0.9 (marked *)")
            }
            peer?.close()
        }
    }
}
