// `keel-bench activations`: the vectorized float activations (keel_s_tanh, keel_s_sigmoid,
// keel_s_exp) against the scalar libm loops they are tested against (keel_s_*_reference).

import CKeelKernels

enum ActivationBenchmark {
    static let command = Subcommand(
        name: "activations",
        summary: "tanh / sigmoid / exp on 1M floats: vectorized kernels vs scalar libm loops",
        usage: """
            usage: keel-bench activations [--count N] [--min-time SECONDS] [--quick]

              --count N      elements per call (default 1048576)
              --min-time S   seconds of timing per function and variant (default 0.2)
              --quick        --min-time 0.05

            Inputs are uniform in [-8, 8] (exp: [-20, 20]). Target: vectorized >= 8x the scalar loop.
            """,
        run: { arguments in try run(arguments) })

    typealias Kernel = (Int, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?) -> Void

    static func run(_ arguments: [String]) throws {
        let options = try Options(arguments, flags: ["--quick"], options: ["--count", "--min-time"])
        let count = try options.int("--count", default: 1 << 20, range: 1...(1 << 28))
        let minTime = try options.double("--min-time", default: options.flag("--quick") ? 0.05 : 0.2)
        if let warning = buildWarning() { print(warning) }
        print("keel-bench activations: \(count) floats per call, 1 thread, kernel path "
            + "\(kernelPathName(keel_current_kernel_path())); median ns per element")

        let functions: [(String, ClosedRange<Float>, Kernel, Kernel)] = [
            ("tanh", -8...8, { keel_s_tanh($0, $1, $2) }, { keel_s_tanh_reference($0, $1, $2) }),
            ("sigmoid", -8...8, { keel_s_sigmoid($0, $1, $2) }, { keel_s_sigmoid_reference($0, $1, $2) }),
            ("exp", -20...20, { keel_s_exp($0, $1, $2) }, { keel_s_exp_reference($0, $1, $2) }),
        ]
        var table = Table(["function", "vectorized ns/elem", "scalar libm ns/elem", "speed-up", "Gelem/s vectorized"])
        for (name, range, vectorized, reference) in functions {
            let x = randomFloats(count, in: range, seed: 7)
            let y = UnsafeMutablePointer<Float>.allocate(capacity: count)
            y.initialize(repeating: 0, count: count)
            defer {
                x.deallocate()
                y.deallocate()
            }
            let fast = measure(minTime: minTime) { vectorized(count, x, y) }.median
            let slow = measure(minTime: minTime) { reference(count, x, y) }.median
            let speedup = slow / fast
            table.add([name, format(fast / Double(count) * 1e9, digits: 3), format(slow / Double(count) * 1e9, digits: 3),
                       format(speedup, digits: 1) + "×" + (speedup < 8 ? " *" : ""),
                       format(Double(count) / fast / 1e9, digits: 2)])
        }
        print(table.render(), terminator: "")
        print("* below the 8× target")
    }
}
