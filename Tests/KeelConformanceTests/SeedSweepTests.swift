import Foundation
import KeelConformance
import Testing

/// Every built-in initializer, clipper and optimizer through its suite over many seeds with zero
/// failures: the statistical laws' false-failure rate, measured. Opt-in, since it is long: set
/// `KEEL_SEED_SWEEP` to the number of seeds, e.g.
/// `KEEL_SEED_SWEEP=1000 swift test -c release -Xswiftc -enable-testing --filter SeedSweepTests`
/// (one test case per component, so they run in parallel; `KEEL_SEED_SWEEP_FILTER=Adam` keeps the
/// components whose name contains "Adam"; see the README for the measured runtime).
///
/// The optimizers' convergence laws are left out: they start from the problem's fixed point with
/// the author's settings and draw nothing from the seed.
@Suite struct SeedSweepTests {
    static let seeds: Int = ProcessInfo.processInfo.environment["KEEL_SEED_SWEEP"].flatMap(Int.init) ?? 0
    /// Only components whose name contains this (`KEEL_SEED_SWEEP_FILTER`), when set.
    static let filter: String? = ProcessInfo.processInfo.environment["KEEL_SEED_SWEEP_FILTER"]

    static let components: [(String, @Sendable (UInt64) -> [LawResult])] =
        BuiltInInitializerTests.initializers.compactMap { component in component.sweep.map { (component.description, $0) } }
        + BuiltInClipperTests.sweep + BuiltInOptimizerTests.cases.map { $0.2 }

    @Test(.enabled(if: seeds > 0), arguments: components.indices)
    func builtInComponent(index: Int) {
        let (name, suite) = Self.components[index]
        if let filter = Self.filter, !name.contains(filter) { return }
        var failed: [String] = []
        for seed in 0..<UInt64(Self.seeds) {
            failed += suite(seed).filter { !$0.passed }.map(\.description)
        }
        #expect(failed.isEmpty, "\(name): \(failed.count) failures over \(Self.seeds) seeds: \(failed.prefix(5))")
    }
}
