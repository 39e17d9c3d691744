// Shared helpers for the benchmarks: subcommand description, option parsing, timing, statistics,
// tables, buffers.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CKeelKernels

/// One `keel-bench` subcommand.
struct Subcommand: Sendable {
    let name: String
    /// One line for `keel-bench --help`.
    let summary: String
    /// Shown by `keel-bench <name> --help` and after a usage error.
    let usage: String
    /// Runs the benchmark with the arguments after the subcommand name. Throws `UsageError` for
    /// bad arguments (exit code 2).
    let run: @Sendable ([String]) throws -> Void
}

/// A bad command line; reported on stderr with exit code 2.
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

func printError(_ message: String) {
    var line = message
    if !line.hasSuffix("\n") { line += "\n" }
    var bytes = Array(line.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
        if written <= 0 { break }
        offset += written
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
    func leftPadding(toLength length: Int) -> String {
        count >= length ? self : String(repeating: " ", count: length - count) + self
    }
}

/// A tiny option parser: flags (`--quick`) and options with a value (`--threads 1,2` or
/// `--threads=1,2`). Anything else is a usage error.
struct Options {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    init(_ arguments: [String], flags knownFlags: Set<String>, options knownOptions: Set<String>) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else { throw UsageError("unexpected argument '\(argument)'") }
            var name = argument
            var value: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            if knownFlags.contains(name) {
                if value != nil { throw UsageError("\(name) takes no value") }
                flags.insert(name)
            } else if knownOptions.contains(name) {
                if value == nil {
                    guard index < arguments.count else { throw UsageError("\(name) needs a value") }
                    value = arguments[index]
                    index += 1
                }
                values[name] = value
            } else {
                throw UsageError("unknown option '\(argument)'")
            }
        }
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    func string(_ name: String) -> String? { values[name] }

    func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("\(name) expects an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return value
    }

    func double(_ name: String, default fallback: Double) throws -> Double {
        guard let text = values[name] else { return fallback }
        guard let value = Double(text), value > 0 else {
            throw UsageError("\(name) expects a positive number, got '\(text)'")
        }
        return value
    }

    /// A comma-separated list of positive integers, e.g. `--threads 1,2`.
    func intList(_ name: String, default fallback: [Int]) throws -> [Int] {
        guard let text = values[name] else { return fallback }
        let items = text.split(separator: ",").map { Int($0.trimmingCharacters()) }
        guard !items.isEmpty, items.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw UsageError("\(name) expects a comma-separated list of positive integers, got '\(text)'")
        }
        return items.map { $0! }
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

/// Monotonic seconds.
@inline(__always)
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Timing samples of one operation (seconds per call).
struct Samples {
    var values: [Double] = []

    var median: Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid])
    }
    var best: Double { values.min() ?? .nan }
}

/// Warms `body` up, then times it: each sample runs `body` enough times to last >= ~2 ms, and
/// samples are taken for `minTime` seconds (at least `minSamples`). Returns seconds per call.
func measure(minTime: Double, minSamples: Int = 5, warmup: Int = 3, _ body: () -> Void) -> Samples {
    for _ in 0..<warmup { body() }
    let start = now()
    body()
    let once = max(now() - start, 1e-7)
    let inner = max(1, Int(0.002 / once))
    var samples = Samples()
    let end = now() + minTime
    while now() < end || samples.values.count < minSamples {
        let t0 = now()
        for _ in 0..<inner { body() }
        samples.values.append((now() - t0) / Double(inner))
    }
    return samples
}

/// A plain text table with right-aligned numeric columns.
struct Table {
    let headers: [String]
    var rows: [[String]] = []

    init(_ headers: [String]) { self.headers = headers }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var out = "|"
            for (i, cell) in cells.enumerated() {
                out += " " + (i == 0 ? cell.padding(toLength: widths[i]) : cell.leftPadding(toLength: widths[i])) + " |"
            }
            return out
        }
        var text = line(headers) + "\n|"
        for (i, width) in widths.enumerated() {
            text += (i == 0 ? String(repeating: "-", count: width + 2) : String(repeating: "-", count: width + 1) + ":") + "|"
        }
        text += "\n"
        for row in rows { text += line(row) + "\n" }
        return text
    }
}

func format(_ value: Double, digits: Int = 1) -> String {
    guard value.isFinite else { return "-" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    } else if digits > 0 {
        text += "." + String(repeating: "0", count: digits)
    }
    return text
}

/// A buffer of Float filled from a fixed pseudo-random sequence, uniform in `range`.
func randomFloats(_ count: Int, in range: ClosedRange<Float> = -1...1, seed: UInt64 = 1) -> UnsafeMutablePointer<Float> {
    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    for i in 0..<count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        let unit = Float(state >> 40) / Float(1 << 24)
        buffer[i] = range.lowerBound + (range.upperBound - range.lowerBound) * unit
    }
    return buffer
}

func kernelPathName(_ path: keel_kernel_path) -> String {
    switch path {
    case KEEL_PATH_AVX512: return "AVX-512"
    case KEEL_PATH_AVX2: return "AVX2+FMA"
    case KEEL_PATH_NEON: return "NEON"
    default: return "portable"
    }
}

func buildWarning() -> String? {
    #if DEBUG
    return "note: this is a debug build (C kernels at -O0); use `swift run -c release keel-bench ...` for real numbers"
    #else
    return nil
    #endif
}
