// `keel-bench denormals`: a tanh-RNN-like loop whose hidden state decays into subnormal floats,
// run with Keel's flush-to-zero / denormals-are-zero on (the default) and off.

import CKeelKernels

enum DenormalBenchmark {
    static let command = Subcommand(
        name: "denormals",
        summary: "tanh RNN loop with subnormal hidden states: FTZ/DAZ on vs off",
        usage: """
            usage: keel-bench denormals [--batch B] [--hidden H] [--steps T] [--repeats N] [--threads N] [--quick]

              --batch B      rows of the hidden state (default 64)
              --hidden H     hidden size (default 128)
              --steps T      time steps per sequence (default 200)
              --repeats N    sequences timed per setting, best and median reported (default 7; 3 with --quick)
              --threads N    Keel threads (default: keel_num_threads())

            Each step: h = tanh(h · W) with W contracting (spectral radius ~0.5) and h restarted every
            20 steps at ~1e-36, so most of the GEMM and tanh inputs and outputs are subnormal.
            The setting is keel_set_flush_denormals(true / false).
            """,
        run: { arguments in try run(arguments) })

    static func run(_ arguments: [String]) throws {
        let options = try Options(arguments, flags: ["--quick"],
                                  options: ["--batch", "--hidden", "--steps", "--repeats", "--threads"])
        let batch = try options.int("--batch", default: 64, range: 1...4096)
        let hidden = try options.int("--hidden", default: 128, range: 1...8192)
        let steps = try options.int("--steps", default: 200, range: 1...100_000)
        let repeats = try options.int("--repeats", default: options.flag("--quick") ? 3 : 7, range: 1...1000)
        let savedThreads = keel_num_threads()
        let threads = try options.int("--threads", default: Int(savedThreads), range: 1...64)
        keel_set_num_threads(Int32(threads))
        let savedFlush = keel_flush_denormals()
        defer {
            keel_set_num_threads(savedThreads)
            keel_set_flush_denormals(savedFlush)
        }
        if let warning = buildWarning() { print(warning) }

        // W: uniform entries scaled so that ||W|| ~ 0.5; h0: tiny normal numbers.
        let w = randomFloats(hidden * hidden, in: -1...1, seed: 3)
        let scale = 0.5 * 1.7 / Float(hidden).squareRoot()
        for i in 0..<(hidden * hidden) { w[i] *= scale }
        let h0 = randomFloats(batch * hidden, in: 0.5...1.0, seed: 4)
        for i in 0..<(batch * hidden) { h0[i] *= 1e-36 }
        let h = UnsafeMutablePointer<Float>.allocate(capacity: batch * hidden)
        let z = UnsafeMutablePointer<Float>.allocate(capacity: batch * hidden)
        defer {
            w.deallocate()
            h0.deallocate()
            h.deallocate()
            z.deallocate()
        }

        var subnormalFraction = 0.0
        func sequence() {
            var subnormal = 0, total = 0
            for t in 0..<steps {
                if t % 20 == 0 { h.update(from: h0, count: batch * hidden) }
                keel_sgemm(false, false, batch, hidden, hidden, 1, h, hidden, w, hidden, 0, z, hidden)
                keel_s_tanh(batch * hidden, z, h)
                if t % 10 == 5 {
                    for i in 0..<(batch * hidden) where h[i] != 0 && abs(h[i]) < Float.leastNormalMagnitude { subnormal += 1 }
                    total += batch * hidden
                }
            }
            subnormalFraction = total > 0 ? Double(subnormal) / Double(total) : 0
        }

        print("keel-bench denormals: tanh RNN, batch \(batch), hidden \(hidden), \(steps) steps per sequence, "
            + "\(threads) thread(s), kernel path \(kernelPathName(keel_current_kernel_path()))")
        var table = Table(["setting", "best ms/sequence", "median ms/sequence", "subnormal h (sampled)"])
        var bests: [Bool: Double] = [:]
        for flush in [true, false] {
            keel_set_flush_denormals(flush)
            sequence() // warm-up
            var samples = Samples()
            for _ in 0..<repeats {
                let t0 = now()
                sequence()
                samples.values.append(now() - t0)
            }
            bests[flush] = samples.best
            table.add([flush ? "flush denormals ON (FTZ/DAZ)" : "flush denormals OFF",
                       format(samples.best * 1e3, digits: 2), format(samples.median * 1e3, digits: 2),
                       format(subnormalFraction * 100, digits: 1) + "%"])
        }
        print(table.render(), terminator: "")
        if let on = bests[true], let off = bests[false] {
            print("OFF / ON = \(format(off / on, digits: 2))× (best times)")
        }
    }
}
