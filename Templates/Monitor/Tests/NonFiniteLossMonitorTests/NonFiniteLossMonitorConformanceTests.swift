import KeelConformance
import NonFiniteLossMonitor
import Testing

/// NonFiniteLossMonitor gives the declared verdicts on a script, round-trips through JSON at
/// every step, and its copies are independent.
@Suite struct NonFiniteLossMonitorConformanceTests {
    static let suite = MonitorConformance(
        NonFiniteLossMonitor(patience: 2),
        script: [
            .step(0, loss: 1.0, expect: .proceed),
            .step(1, loss: .nan, expect: .skipUpdate),
            .step(2, loss: 0.9, expect: .proceed),
            .step(3, loss: 0.8, gradientNorm: .infinity, expect: .skipUpdate),
            .step(4, loss: .infinity, expect: .stop),
            .step(5, loss: 0.7, expect: .proceed),
        ],
        // Only non-finite values matter, so the loss and gradient scales do not: the suite checks
        // that on generated scripts too.
        declarations: MonitorDeclarations(lossScaleInvariant: true, gradientScaleInvariant: true))

    @Test(arguments: MonitorLaw.allCases)
    func monitorLaw(_ law: MonitorLaw) throws {
        try Self.suite.check(law)
    }
}
