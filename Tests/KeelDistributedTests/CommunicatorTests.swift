import Foundation
import Testing

/// The communicator's collectives, on 2 and 3 ranks over loopback: all-reduce (sum, mean, max,
/// min) of 1, 7 and 10⁶ values in Float and Double, broadcast, flags and barrier. The helper
/// checks every element against the exact expected value and exits non-zero on the first wrong one.
@Suite(.serialized, .enabled(if: MPILauncher.isAvailable, MPILauncher.unavailableReason))
struct CommunicatorTests {
    @Test(arguments: [2, 3])
    func collectivesAreExactOnEveryRank(ranks: Int) throws {
        let directory = try MPILauncher.temporaryDirectory()
        let result = try MPILauncher.launch(ranks: ranks, MPILauncher.helper, ["collectives"], in: directory)
        #expect(result.status == 0, "\(result.output)")
        for rank in 0..<ranks {
            for count in [1, 7, 1_000_000] { #expect(result.output.contains("rank \(rank): all-reduce of \(count) ok")) }
            #expect(result.output.contains("rank \(rank): broadcast, flags and barrier ok"))
        }
    }
}
