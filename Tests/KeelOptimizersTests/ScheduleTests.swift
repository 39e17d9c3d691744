import Foundation
import Testing
import KeelOptimizers

/// Schedules against the closed forms in Reference/optimizers_reference.py (PyTorch's
/// lr_scheduler formulas), boundary values, composition, and ReduceLROnPlateau on scripted metrics.
@Suite struct ScheduleTests {
    typealias Spec = OptimizerReference.ScheduleSpec

    static func number(_ spec: Spec, _ key: String) -> Double {
        guard case .number(let value)? = spec.config[key] else { fatalError("\(spec.kind): no number \(key)") }
        return value
    }

    static func integer(_ spec: Spec, _ key: String) -> Int { Int(number(spec, key)) }

    static func nested(_ spec: Spec, _ key: String) -> any LearningRateSchedule {
        guard case .schedule(let inner)? = spec.config[key] else { fatalError("\(spec.kind): no schedule \(key)") }
        return makeSchedule(inner)
    }

    /// Builds the schedule a reference entry describes.
    static func makeSchedule(_ spec: Spec) -> any LearningRateSchedule {
        switch spec.kind {
        case "constant": return ConstantSchedule(value: number(spec, "value"))
        case "step":
            return StepDecay(initialValue: number(spec, "initialValue"), stepSize: integer(spec, "stepSize"), gamma: number(spec, "gamma"))
        case "multiStep":
            guard case .numbers(let milestones)? = spec.config["milestones"] else { fatalError("milestones") }
            return MultiStepDecay(initialValue: number(spec, "initialValue"), milestones: milestones.map { Int($0) }, gamma: number(spec, "gamma"))
        case "exponential": return ExponentialDecay(initialValue: number(spec, "initialValue"), gamma: number(spec, "gamma"))
        case "cosine":
            return CosineAnnealing(
                initialValue: number(spec, "initialValue"), maximumSteps: integer(spec, "maximumSteps"),
                minimumValue: number(spec, "minimumValue"))
        case "cosineRestarts":
            return CosineAnnealingWarmRestarts(
                initialValue: number(spec, "initialValue"), firstPeriod: integer(spec, "firstPeriod"),
                periodMultiplier: integer(spec, "periodMultiplier"), minimumValue: number(spec, "minimumValue"))
        case "oneCycle":
            guard case .text(let annealing)? = spec.config["annealing"], case .flag(let threePhase)? = spec.config["threePhase"] else {
                fatalError("oneCycle")
            }
            return OneCycle(
                maximumValue: number(spec, "maximumValue"), totalSteps: integer(spec, "totalSteps"),
                warmupFraction: number(spec, "warmupFraction"), annealing: OneCycle.Annealing(rawValue: annealing)!,
                divisionFactor: number(spec, "divisionFactor"), finalDivisionFactor: number(spec, "finalDivisionFactor"),
                threePhase: threePhase)
        case "polynomial":
            return PolynomialDecay(
                initialValue: number(spec, "initialValue"), endValue: number(spec, "endValue"), power: number(spec, "power"),
                totalSteps: integer(spec, "totalSteps"))
        case "linearWarmup":
            return linearWarmup(nested(spec, "then"), spec)
        case "cosineWarmup":
            return cosineWarmup(nested(spec, "then"), spec)
        case "sequential":
            return sequential(nested(spec, "first"), nested(spec, "second"), spec)
        case "product":
            return product(nested(spec, "first"), nested(spec, "second"))
        default: fatalError("unknown schedule \(spec.kind)")
        }
    }

    // Generic builders, so the nested schedules (existentials here) are opened into the generic composites.
    static func linearWarmup<S: LearningRateSchedule>(_ after: S, _ spec: Spec) -> any LearningRateSchedule {
        LinearWarmup(steps: integer(spec, "steps"), initialValue: number(spec, "initialValue"), then: after)
    }

    static func cosineWarmup<S: LearningRateSchedule>(_ after: S, _ spec: Spec) -> any LearningRateSchedule {
        CosineWarmup(steps: integer(spec, "steps"), initialValue: number(spec, "initialValue"), then: after)
    }

    static func sequential<A: LearningRateSchedule, B: LearningRateSchedule>(_ a: A, _ b: B, _ spec: Spec) -> any LearningRateSchedule {
        SequentialSchedule(a, then: b, at: integer(spec, "boundary"))
    }

    static func product<A: LearningRateSchedule, B: LearningRateSchedule>(_ a: A, _ b: B) -> any LearningRateSchedule {
        ProductSchedule(a, b)
    }

    @Test(arguments: 0..<OptimizerReference.shared.schedules.count)
    func scheduleMatchesReference(index: Int) {
        let spec = OptimizerReference.shared.schedules[index]
        let schedule = Self.makeSchedule(spec)
        for (step, expected) in zip(spec.steps!, spec.values!) {
            let actual = schedule.value(at: step)
            #expect(abs(actual - expected) <= 1e-12 * max(abs(expected), 1e-3), "\(spec.kind) at step \(step): \(actual) vs \(expected)")
        }
    }

    @Test func oneCycleBoundaries() {
        let schedule = OneCycle(maximumValue: 0.1, totalSteps: 100)
        #expect(abs(schedule.value(at: 0) - 0.1 / 25) < 1e-15)
        #expect(abs(schedule.value(at: 29) - 0.1) < 1e-15)  // end of warm-up: 0.3·100 − 1
        #expect(abs(schedule.value(at: 99) - 0.1 / 25 / 1e4) < 1e-15)
        #expect(schedule.value(at: 500) == schedule.value(at: 99))
        #expect(schedule.value(at: 100) == schedule.value(at: 99))
        #expect(schedule.value(at: 15) < schedule.value(at: 16))
        #expect(schedule.value(at: 60) > schedule.value(at: 61))
    }

    @Test func oneCycleNeverLeavesItsRange() {
        // Linear annealing used to extrapolate past the last step to a negative rate, and a
        // warm-up shorter than one step divided by a negative length.
        for annealing in [OneCycle.Annealing.linear, .cosine] {
            for total in [1, 2, 3, 10, 100] {
                let schedule = OneCycle(maximumValue: 0.1, totalSteps: total, annealing: annealing)
                for step in 0...(2 * total + 5) {
                    let value = schedule.value(at: step)
                    #expect(value.isFinite && value > 0 && value <= 0.1 + 1e-15, "\(annealing) total \(total) step \(step): \(value)")
                }
            }
        }
    }

    @Test func cosineRestartsJumpBackAtEveryRestart() {
        let schedule = CosineAnnealingWarmRestarts(initialValue: 1, firstPeriod: 4, periodMultiplier: 2, minimumValue: 0.1)
        for restart in [0, 4, 12, 28, 60] { #expect(schedule.value(at: restart) == 1, "restart at \(restart)") }
        #expect(schedule.value(at: 3) < schedule.value(at: 2))
        #expect(abs(schedule.value(at: 2) - 0.55) < 1e-12)   // halfway through the first period
        #expect(abs(schedule.value(at: 8) - 0.55) < 1e-12)   // halfway through the second (length 8)
    }

    @Test func cosineAnnealingHoldsItsMinimum() {
        let schedule = CosineAnnealing(initialValue: 1, maximumSteps: 10, minimumValue: 0.2)
        #expect(schedule.value(at: 0) == 1)
        #expect(abs(schedule.value(at: 10) - 0.2) < 1e-15)
        #expect(schedule.value(at: 11) == schedule.value(at: 10))
    }

    @Test func compositionHelpersMatchTheTypes() {
        let warm = LinearWarmup(steps: 4, then: ConstantSchedule(value: 1))
        #expect((0..<6).map(warm.value(at:)) == [0, 0.25, 0.5, 0.75, 1, 1])
        let joined = ConstantSchedule(value: 2).followed(by: ExponentialDecay(initialValue: 1, gamma: 0.5), at: 3)
        #expect((0..<6).map(joined.value(at:)) == [2, 2, 2, 1, 0.5, 0.25])
        let product = ConstantSchedule(value: 3).multiplied(by: StepDecay(initialValue: 1, stepSize: 2, gamma: 0.5))
        #expect((0..<5).map(product.value(at:)) == [3, 3, 1.5, 1.5, 0.75])
    }

    @Test func schedulesRoundTripThroughJSON() throws {
        let schedule = LinearWarmup(
            steps: 10, then: SequentialSchedule(
                CosineAnnealing(initialValue: 0.1, maximumSteps: 20), then: OneCycle(maximumValue: 0.2, totalSteps: 30), at: 20))
        let decoded = try JSONDecoder().decode(type(of: schedule), from: JSONEncoder().encode(schedule))
        #expect(decoded == schedule)
    }

    // MARK: ReduceLROnPlateau

    @Test(arguments: 0..<OptimizerReference.shared.plateaus.count)
    func plateauMatchesReference(index: Int) {
        let testCase = OptimizerReference.shared.plateaus[index]
        let c = testCase.config
        var plateau = ReduceLROnPlateau(
            mode: ReduceLROnPlateau.Mode(rawValue: c.mode)!, factor: c.factor,
            patience: c.patience, threshold: c.threshold, thresholdMode: ReduceLROnPlateau.ThresholdMode(rawValue: c.thresholdMode)!,
            cooldown: c.cooldown, minimumLearningRate: c.minimumLearningRate)
        var rate = c.initialLearningRate
        for (step, (metric, expected)) in zip(testCase.metrics, testCase.learningRates).enumerated() {
            rate = plateau.step(metric: metric, learningRate: rate)
            let actual = rate
            #expect(abs(actual - expected) <= 1e-15 * expected, "case \(index) step \(step): \(actual) vs \(expected)")
        }
    }

    @Test func plateauReducesAfterPatienceAndHonoursCooldownAndFloor() {
        var plateau = ReduceLROnPlateau(factor: 0.5, patience: 2, cooldown: 1, minimumLearningRate: 0.3)
        // 1 improves, then flat: bad steps 1, 2, 3 > patience → reduce at the 4th metric.
        var rate = 1.0
        let rates = [1.0, 1, 1, 1, 1, 1, 1, 1, 1, 1].map { metric in
            rate = plateau.step(metric: metric, learningRate: rate)
            return rate
        }
        #expect(rates == [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3])
        var improving = ReduceLROnPlateau(patience: 0)
        for metric in stride(from: 10.0, to: 0, by: -1) { #expect(improving.step(metric: metric, learningRate: 1) == 1) }
        #expect(improving.step(metric: .nan, learningRate: 1) == 0.1)
    }

    @Test func plateauStateRoundTripsThroughJSON() throws {
        var plateau = ReduceLROnPlateau(patience: 1, cooldown: 2)
        var rate = 0.1
        for metric in [3.0, 2, 2, 2, 2] { rate = plateau.step(metric: metric, learningRate: rate) }
        var restored = try JSONDecoder().decode(ReduceLROnPlateau.self, from: JSONEncoder().encode(plateau))
        #expect(restored == plateau)
        for metric in [2.0, 1.5, 1.5, 1.5, 1.5, 1.5] {
            let expected = plateau.step(metric: metric, learningRate: rate)
            #expect(restored.step(metric: metric, learningRate: rate) == expected)
            rate = expected
        }
        var fresh = ReduceLROnPlateau()
        let freshRestored = try JSONDecoder().decode(ReduceLROnPlateau.self, from: JSONEncoder().encode(fresh))
        #expect(freshRestored == fresh)
        #expect(fresh.step(metric: 1, learningRate: 0.1) == 0.1)
    }
}
