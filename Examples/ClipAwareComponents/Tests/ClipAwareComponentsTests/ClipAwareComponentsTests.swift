import ClipAwareComponents
import Foundation
import Keel
import KeelConformance
import Testing

@Suite struct QuantileClipperConformanceTests {
    static let suite = GradientClipperConformance(QuantileClipper<Float>(capacity: 16, minimumHistory: 4))

    @Test(arguments: GradientClipperLaw.allCases)
    func clipperLaw(_ law: GradientClipperLaw) throws { try Self.suite.check(law) }

    @Test(arguments: GradientTransformLaw.allCases)
    func transformLaw(_ law: GradientTransformLaw) throws { try Self.suite.check(law) }
}

@Suite struct ClipRateMonitorConformanceTests {
    // The monitor reads clip reports, which a script does not carry: every scripted step proceeds.
    static let suite = MonitorConformance(
        ClipRateMonitor(window: 3),
        script: (0..<6).map { .step($0, loss: 1 / Double($0 + 1), expect: .proceed) },
        declarations: MonitorDeclarations(lossScaleInvariant: true, gradientScaleInvariant: true))

    @Test(arguments: MonitorLaw.allCases)
    func monitorLaw(_ law: MonitorLaw) throws { try Self.suite.check(law) }
}

/// Both components in a composed Trainer: the monitor receives the pipeline's clip reports, warns
/// and halves the learning rate when the quantile clipper fires on most steps.
@Suite struct ComposedTrainerTests {
    @Test func theMonitorReceivesClipReportsInATrainer() throws {
        var generator = Xoshiro256StarStar(seed: 3)
        let model = SequenceModel(
            recurrent: Recurrent(cell: RNNCell<Float>(inputSize: 2, hiddenSize: 8, using: &generator)),
            head: Dense<Float>(inputSize: 8, outputSize: 1, generator: &generator), headOnEveryStep: false)
        let task = try AddingProblem<Float>(sequenceLength: 20, batchSize: 8, batchesPerEpoch: 30, seed: 2)
        // A quantile of 0.1 clips about nine steps in ten.
        let pipeline = Chain { QuantileClipper<Float>(quantile: 0.1, capacity: 16, minimumHistory: 4); Adam<Float>(learningRate: 1e-2) }
        var trainer = Trainer(
            model: model, loss: MeanSquaredError<Float>(), pipeline: pipeline, monitor: ClipRateMonitor(window: 10, warnAbove: 0.5, reduceAbove: 0.7),
            configuration: TrainerConfiguration(seed: 1))
        try trainer.fit(epochs: 1, source: task)
        let monitor = try #require(trainer.monitors.first(ClipRateMonitor.self))
        #expect(monitor.recent.count == 10)
        #expect(monitor.clipRate > 0.5)
        #expect(trainer.learningRateScale < 1, "the monitor halved the learning rate")
    }
}
