import Foundation
import KeelTrainer
import Testing

/// Records the learning rate of every observation; halves the rate at one step.
struct RateRecordingMonitor: Monitor {
    var observed: [Double] = []
    var halveAtStep: Int? = nil
    mutating func inspect(_ observation: StepObservation) -> MonitorVerdict {
        observed.append(observation.learningRate)
        return observation.step == halveAtStep ? .scaleLearningRate(factor: 0.5, reason: "test") : .proceed
    }
}

/// An optimizer written without the context's rate API: no report, its own base rate.
struct PlainSGD: Optimizer {
    typealias Scalar = Float
    var learningRate: Double
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        updates.scale(by: Float(-learningRate))
    }
}

/// The learning rate has one owner: the schedule yields it, the trainer's policies multiply it,
/// and what monitors observe, what the log records and what `Trainer.learningRate` says agree.
@Suite struct LearningRateOwnershipTests {
    static let schedule = StepDecay(initialValue: 0.02, stepSize: 3, gamma: 0.5)

    static func steps(_ log: EventLog) -> [StepRecord] {
        log.events.compactMap { if case .stepCompleted(let record) = $0 { record } else { nil } }
    }

    @Test func monitorsLogAndTrainerSeeTheScheduledRateTimesTheMultiplier() throws {
        let log = EventLog()
        let pipeline = Chain { GlobalNormClipper<Float>(maxNorm: 1); Adam<Float>(learningRate: 1, schedule: Self.schedule) }
        var trainer = Trainer(
            model: makeModel(), loss: MeanSquaredError<Float>(), pipeline: pipeline,
            monitors: [RateRecordingMonitor(halveAtStep: 4)], configuration: TrainerConfiguration(seed: 3),
            eventHandlers: [log.handler])
        #expect(trainer.learningRate == 0.02)
        try trainer.fit(epochs: 1, source: SequenceSource(batchesPerEpoch: 8))
        let expected = (0..<8).map { step in Self.schedule.value(at: step) * (step >= 4 ? 0.5 : 1) }
        let logged = Self.steps(log).map(\.learningRate)
        #expect(logged.count == 8)
        for (step, (rate, want)) in zip(logged, expected).enumerated() {
            #expect(abs(rate - want) <= 1e-15 * want, "step \(step): logged \(rate), expected \(want)")
        }
        let observed = try #require(trainer.monitors.monitors[0] as? RateRecordingMonitor).observed
        // A monitor sees the rate in force before its own verdict: at step 4 the halving is not yet in.
        let expectedObserved = (0..<8).map { step in Self.schedule.value(at: step) * (step > 4 ? 0.5 : 1) }
        for (step, (rate, want)) in zip(observed, expectedObserved).enumerated() {
            #expect(abs(rate - want) <= 1e-15 * want, "step \(step): observed \(rate), expected \(want)")
        }
        #expect(abs(trainer.learningRate - Self.schedule.value(at: 8) * 0.5) <= 1e-15)
        let actions: [ActionRecord] = log.events.compactMap { if case .actionTaken(let action) = $0 { action } else { nil } }
        let change = actions.first { $0.action == ActionKind.learningRateChange }
        #expect(change?.previousLearningRate == Self.schedule.value(at: 4))
        #expect(change?.newLearningRate == Self.schedule.value(at: 4) * 0.5)
    }

    @Test func theMultiplierReachesTheOptimizerNotTheUpdateTwice() throws {
        // Halving through the multiplier gives the same parameters as halving the base rate.
        func trained(rate: Double, halveAtStep: Int?) throws -> [Float] {
            var trainer = Trainer(
                model: makeModel(), loss: MeanSquaredError<Float>(), pipeline: SGD<Float>(learningRate: rate),
                monitors: [RateRecordingMonitor(halveAtStep: halveAtStep)], configuration: TrainerConfiguration(seed: 3))
            try trainer.fit(epochs: 1, source: SequenceSource(batchesPerEpoch: 4))
            return trainer.model.parameters.tensors.flatMap(\.scalars)
        }
        let viaMultiplier = try trained(rate: 0.1, halveAtStep: 0)
        let viaBaseRate = try trained(rate: 0.05, halveAtStep: nil)
        for (a, b) in zip(viaMultiplier, viaBaseRate) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b))) }
    }

    @Test func aPipelineWithoutAnOptimizerReportHasItsUpdatesScaledByTheTrainer() throws {
        func trained(_ halve: Bool) throws -> (parameters: [Float], logged: [Double]) {
            let log = EventLog()
            var trainer = Trainer(
                model: makeModel(), loss: MeanSquaredError<Float>(), pipeline: PlainSGD(learningRate: halve ? 0.1 : 0.05),
                monitors: [RateRecordingMonitor(halveAtStep: halve ? 0 : nil)], configuration: TrainerConfiguration(seed: 3),
                eventHandlers: [log.handler])
            try trainer.fit(epochs: 1, source: SequenceSource(batchesPerEpoch: 4))
            return (trainer.model.parameters.tensors.flatMap(\.scalars), Self.steps(log).map(\.learningRate))
        }
        let halved = try trained(true), plain = try trained(false)
        for (a, b) in zip(halved.parameters, plain.parameters) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b))) }
        #expect(halved.logged == [0.05, 0.05, 0.05, 0.05])
        #expect(plain.logged == [0.05, 0.05, 0.05, 0.05])
    }
}
