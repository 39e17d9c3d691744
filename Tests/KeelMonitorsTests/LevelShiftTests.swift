import Foundation
import Testing
import KeelMonitors

/// A lasting change of level is not an explosion: a skipping monitor must not freeze training
/// (the validation suite's copy task once skipped 2,577 of 3,000 updates), while a norm or loss
/// that keeps growing must keep firing.
@Suite struct LevelShiftTests {
    @Test func explosionMonitorAcceptsAPlateauAfterItsLimit() {
        var monitor = GradientExplosionMonitor(maximumConsecutiveFirings: 10)
        var skipped: [Int] = []
        for t in 0..<60 {
            let norm = t < 20 ? 1.0 + 0.01 * Double(t % 3) : 500 + Double(t % 3)
            if case .skipUpdate = monitor.inspect(scalarObservation(step: t, loss: 1, norm: norm)) { skipped.append(t) }
        }
        #expect(skipped == Array(20..<30))
        #expect(monitor.findings.isEmpty)
    }

    @Test func explosionMonitorKeepsFiringWhileTheNormGrows() {
        var monitor = GradientExplosionMonitor(maximumConsecutiveFirings: 10)
        var skipped = 0
        for t in 0..<50 {
            let norm = t < 20 ? 1.0 : pow(1.6, Double(t - 10))
            if case .skipUpdate = monitor.inspect(scalarObservation(step: t, loss: 1, norm: norm)) { skipped += 1 }
        }
        #expect(skipped == 30)
    }

    @Test func strictModeNeverRelaxes() {
        var monitor = GradientExplosionMonitor(maximumConsecutiveFirings: nil)
        var skipped = 0
        for t in 0..<60 {
            if case .skipUpdate = monitor.inspect(scalarObservation(step: t, loss: 1, norm: t < 20 ? 1 : 500)) { skipped += 1 }
        }
        #expect(skipped == 40)
    }

    @Test func lossSpikeMonitorAcceptsANewLossLevel() {
        var monitor = LossSpikeMonitor(window: 32, warmUp: 10, maximumConsecutiveFirings: 5)
        var skipped: [Int] = []
        for t in 0..<60 {
            let loss = (t < 30 ? 2.0 : 3.0) + 0.01 * Double(t % 4)
            if case .skipUpdate = monitor.inspect(scalarObservation(step: t, loss: loss, norm: 1)) { skipped.append(t) }
        }
        #expect(skipped == Array(30..<35))
    }

    @Test func lossSpikeMonitorKeepsFiringWhileTheLossClimbs() {
        var monitor = LossSpikeMonitor(window: 32, warmUp: 10, maximumConsecutiveFirings: 5)
        var skipped = 0
        for t in 0..<60 {
            let loss = t < 30 ? 2.0 + 0.01 * Double(t % 4) : 2 * pow(1.5, Double(t - 29))
            if case .skipUpdate = monitor.inspect(scalarObservation(step: t, loss: loss, norm: 1)) { skipped += 1 }
        }
        #expect(skipped == 30)
    }
}
