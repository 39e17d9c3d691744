import Foundation
import Testing
import KeelMonitors

@Suite("Gradient-flow rate")
struct GradientFlowTests {
    /// ‖∂L/∂hₜ‖ = r^(T−1−t): the gradient grows by r per step going backward.
    static func geometric(_ rate: Double, length: Int = 20) -> [Double] {
        (0..<length).map { 0.1 * pow(rate, Double(length - 1 - $0)) }
    }

    @Test(arguments: [0.5, 0.7, 0.95, 1.0, 1.05, 1.3, 2.0])
    func fitRecoversGeometricRates(rate: Double) throws {
        let fitted = try #require(GradientFlowMonitor.fitRate(Self.geometric(rate)))
        #expect(abs(fitted - rate) < 1e-9 * rate)
        // Zeros (steps beyond a truncation) are ignored.
        let truncated = try #require(GradientFlowMonitor.fitRate(Self.geometric(rate) + [0, 0, 0]))
        #expect(abs(truncated - rate) < 1e-9 * rate)
    }

    @Test(arguments: [(1.3, VerdictKind.rollback), (0.7, .skipUpdate), (1.0, .proceed), (0.9, .proceed), (1.04, .proceed)])
    func detects(rate: Double, expected: VerdictKind) {
        var monitor = GradientFlowMonitor(explosionAction: .rollback, vanishingAction: .skipUpdate)
        #expect(monitor.needs == .gradientFlow)
        let step = observation(step: 0, dynamics: [RecurrentDynamics(weightKey: "rnn.weightHH", gradientFlow: Self.geometric(rate))])
        let verdict = monitor.inspect(step)
        #expect(VerdictKind(verdict) == expected)
        #expect(monitor.lastRates.count == 1 && abs(monitor.lastRates[0].rate - rate) < 1e-9)
        if expected == .rollback { #expect(monitor.findings[0].contains("explodes")) }
        if expected == .skipUpdate { #expect(monitor.findings[0].contains("vanishes")) }
    }

    @Test func mostSevereLayerWinsAndShortProfilesAreIgnored() {
        var monitor = GradientFlowMonitor(explosionAction: .stop, vanishingAction: .warn)
        let step = observation(step: 0, dynamics: [
            RecurrentDynamics(weightKey: "a.weightHH", gradientFlow: Self.geometric(0.5)),
            RecurrentDynamics(weightKey: "b.weightHH", gradientFlow: Self.geometric(1.5)),
            RecurrentDynamics(weightKey: "c.weightHH", gradientFlow: [1, 2]),
        ])
        #expect(VerdictKind(monitor.inspect(step)) == .stop)
        #expect(monitor.findings.count == 2 && monitor.lastRates.map(\.weightKey) == ["a.weightHH", "b.weightHH"])
    }
}
