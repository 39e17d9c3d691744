import Foundation
import KeelConformance
import Testing

/// The mutant corpus against the suites: every correct control passes, and the suites kill at
/// least 95% of the mutants. `KEEL_MUTANT_TABLE=1` prints the mutant → law table.
@Suite struct MutantCorpusTests {
    @Test(arguments: MutantCorpus.entries.filter(\.control))
    func controlPasses(entry: CorpusEntry) {
        let failures = entry.run().filter { !$0.passed }
        #expect(failures.isEmpty, "\(entry.name): \(failures.map(\.description))")
    }

    @Test func killRate() {
        let mutants = MutantCorpus.entries.filter { !$0.control }
        var survivors: [String] = []
        var lines: [String] = []
        for mutant in mutants {
            let laws = mutant.failedLaws()
            if laws.isEmpty { survivors.append("\(mutant.kind.rawValue): \(mutant.name)") }
            lines.append("| \(mutant.kind.rawValue) | \(mutant.name) | \(mutant.bugClass) | \(laws.isEmpty ? "**survives**" : laws.joined(separator: ", ")) |")
        }
        let killed = mutants.count - survivors.count
        let rate = Double(killed) / Double(mutants.count)
        let summary = "mutant corpus: \(killed) of \(mutants.count) killed (\(String(format: "%.1f", 100 * rate))%)"
        print(summary)
        if ProcessInfo.processInfo.environment["KEEL_MUTANT_TABLE"] != nil {
            print((["| kind | mutant | class | killed by |", "|---|---|---|---|"] + lines).joined(separator: "\n"))
        }
        print("survivors: \(survivors)")
        #expect(rate >= 0.95, "\(summary); survivors: \(survivors)")
    }
}
