// The NumPy side of `keel-bench gemm`: a python3 subprocess (one per thread count, the thread count
// fixed through OPENBLAS_NUM_THREADS & co. before numpy is imported) that times np.matmul on request,
// so Keel and NumPy are measured alternately, shape by shape, in the same run.

import Foundation

final class NumPyPeer {
    /// e.g. "NumPy 2.4.6 (scipy-openblas 0.3.31)".
    private(set) var name = "NumPy"
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private var pending = Data()

    static let script = #"""
        import json, os, statistics, sys, time
        try:
            import numpy as np
        except Exception as e:
            print(json.dumps({"error": "numpy not importable: %s" % e}), flush=True)
            sys.exit(0)
        blas = ""
        try:
            cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
            blas = "%s %s" % (cfg.get("name"), cfg.get("version"))
        except Exception:
            pass
        print(json.dumps({"ready": True, "numpy": np.__version__, "blas": blas}), flush=True)
        rng = np.random.default_rng(0)
        for line in sys.stdin:
            parts = line.split()
            if len(parts) != 5:
                continue
            M, K, N = int(parts[0]), int(parts[1]), int(parts[2])
            min_time, layout = float(parts[3]), parts[4]
            # layout: nn = A[M,K] B[K,N]; tn = A stored K x M (op = transpose); nt = B stored N x K
            a = rng.standard_normal((K, M) if layout == "tn" else (M, K), dtype=np.float32)
            b = rng.standard_normal((N, K) if layout == "nt" else (K, N), dtype=np.float32)
            if layout == "tn":
                a = a.T
            if layout == "nt":
                b = b.T
            c = np.empty((M, N), dtype=np.float32)
            for _ in range(3):
                np.matmul(a, b, out=c)
            t0 = time.perf_counter(); np.matmul(a, b, out=c); dt = time.perf_counter() - t0
            inner = max(1, int(0.002 / max(dt, 1e-7)))
            samples = []
            t_end = time.perf_counter() + min_time
            while time.perf_counter() < t_end or len(samples) < 5:
                t0 = time.perf_counter()
                for _ in range(inner):
                    np.matmul(a, b, out=c)
                samples.append((time.perf_counter() - t0) / inner)
            print(json.dumps({"median": statistics.median(samples), "best": min(samples)}), flush=True)
        """#

    enum Failure: Error, CustomStringConvertible {
        case unavailable(String)
        var description: String {
            switch self {
            case .unavailable(let why): return why
            }
        }
    }

    /// Starts python3 with `threads` BLAS threads; throws `Failure.unavailable` when python3 or
    /// numpy is missing.
    init(threads: Int) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", NumPyPeer.script]
        var environment = ProcessInfo.processInfo.environment
        for name in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                     "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"] {
            environment[name] = String(threads)
        }
        process.environment = environment
        let stdinPipe = Pipe(), stdoutPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = FileHandle.nullDevice
        input = stdinPipe.fileHandleForWriting
        output = stdoutPipe.fileHandleForReading
        do {
            try process.run()
        } catch {
            throw Failure.unavailable("could not start python3 (\(error.localizedDescription))")
        }
        guard let line = readLine(), let hello = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            process.terminate()
            throw Failure.unavailable("python3 is not available or did not answer")
        }
        if let error = hello["error"] as? String {
            throw Failure.unavailable(error)
        }
        let version = hello["numpy"] as? String ?? "?"
        let blas = hello["blas"] as? String ?? ""
        name = "NumPy \(version)" + (blas.isEmpty ? "" : " (\(blas))")
    }

    /// Times np.matmul for one shape; returns seconds per call (median, best), or nil on failure.
    func measure(m: Int, k: Int, n: Int, layout: String, minTime: Double) -> (median: Double, best: Double)? {
        guard process.isRunning else { return nil }
        let request = "\(m) \(k) \(n) \(minTime) \(layout)\n"
        do {
            try input.write(contentsOf: Data(request.utf8))
        } catch {
            return nil
        }
        guard let line = readLine(),
              let reply = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let median = reply["median"] as? Double, let best = reply["best"] as? Double
        else { return nil }
        return (median, best)
    }

    func close() {
        try? input.close()
        process.waitUntilExit()
    }

    /// The next line of the subprocess's stdout, or nil at end of file.
    private func readLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                return line
            }
            let chunk = output.availableData
            if chunk.isEmpty { return nil }
            pending.append(chunk)
        }
    }
}
