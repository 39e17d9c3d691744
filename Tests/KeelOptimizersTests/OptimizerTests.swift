import Foundation
import Testing
import KeelOptimizers

/// Properties every optimizer must have: convergence on a parabola and on Rosenbrock (Optax's
/// alias_test pattern), checkpointable state, zero gradient as a fixed point, linearity in the
/// learning rate, schedules honoured, Float agreeing with Double.
@Suite struct OptimizerTests {
    /// Every optimizer with options switched on, for the property tests.
    static let optimizers: [AnyOptimizerRun] = [
        AnyOptimizerRun("SGD", SGD<Double>(learningRate: 0.05)),
        AnyOptimizerRun("SGD momentum", SGD<Double>(learningRate: 0.05, momentum: 0.9, dampening: 0.2)),
        AnyOptimizerRun("SGD nesterov", SGD<Double>(learningRate: 0.05, momentum: 0.9, nesterov: true)),
        AnyOptimizerRun("Adam", Adam<Double>(learningRate: 0.05)),
        AnyOptimizerRun("Adam amsgrad", Adam<Double>(learningRate: 0.05, amsgrad: true)),
        AnyOptimizerRun("AdamW", AdamW<Double>(learningRate: 0.05, weightDecay: 0)),
        AnyOptimizerRun("RMSprop", RMSprop<Double>(learningRate: 0.01)),
        AnyOptimizerRun("RMSprop centered momentum", RMSprop<Double>(learningRate: 0.01, momentum: 0.5, centered: true)),
        AnyOptimizerRun("Adagrad", Adagrad<Double>(learningRate: 0.1, learningRateDecay: 0.01, initialAccumulatorValue: 0.1)),
        AnyOptimizerRun("Lion", Lion<Double>(learningRate: 0.01)),
    ]

    // MARK: convergence

    static func parabolaGradient(_ p: ParameterSet<Double>, _: Int) -> ParameterSet<Double> {
        // f(x) = Σ (x − 1)², ∇f = 2(x − 1)
        p.map { ($0 - 1) * 2 }
    }

    static func parabolaLoss(_ p: ParameterSet<Double>) -> Double {
        p[0].scalars.reduce(0) { $0 + ($1 - 1) * ($1 - 1) }
    }

    static func rosenbrockGradient(_ p: ParameterSet<Double>, _: Int) -> ParameterSet<Double> {
        // f(x, y) = (1 − x)² + 100 (y − x²)²
        let x = p[0].scalars[0], y = p[0].scalars[1]
        let dx = -2 * (1 - x) - 400 * x * (y - x * x), dy = 200 * (y - x * x)
        return ParameterSet([(ParameterKey("xy"), Tensor([dx, dy]))])
    }

    static func rosenbrockLoss(_ p: ParameterSet<Double>) -> Double {
        let x = p[0].scalars[0], y = p[0].scalars[1]
        return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
    }

    static let parabolaCases: [AnyOptimizerRun] = [
        AnyOptimizerRun("SGD", SGD<Double>(learningRate: 0.1)),
        AnyOptimizerRun("SGD momentum", SGD<Double>(learningRate: 0.05, momentum: 0.9)),
        AnyOptimizerRun("Adam", Adam<Double>(learningRate: 0.1)),
        AnyOptimizerRun("AdamW", AdamW<Double>(learningRate: 0.1, weightDecay: 1e-4)),
        AnyOptimizerRun("RMSprop", RMSprop<Double>(learningRate: 0.01, momentum: 0.5)),
        AnyOptimizerRun("Adagrad", Adagrad<Double>(learningRate: 0.5)),
        AnyOptimizerRun("Lion", Lion<Double>(learningRate: 0.01, schedule: ExponentialDecay(initialValue: 0.01, gamma: 0.997))),
    ]

    @Test(arguments: parabolaCases)
    func convergesOnParabola(_ optimizer: AnyOptimizerRun) throws {
        let start = ParameterSet([(ParameterKey("x"), Tensor<Double>([-1, 3, 0.5]))])
        let trajectory = try optimizer.run(start, 2000, Self.parabolaGradient)
        let loss = Self.parabolaLoss(trajectory.last!)
        #expect(loss < 1e-4, "\(optimizer.name): final parabola loss \(loss)")
    }

    static let rosenbrockCases: [AnyOptimizerRun] = [
        AnyOptimizerRun("SGD", SGD<Double>(learningRate: 1e-3, momentum: 0.9)),
        AnyOptimizerRun("SGD nesterov", SGD<Double>(learningRate: 1e-3, momentum: 0.9, nesterov: true)),
        AnyOptimizerRun("Adam", Adam<Double>(learningRate: 0.01)),
        AnyOptimizerRun("Adam amsgrad", Adam<Double>(learningRate: 0.01, amsgrad: true)),
        AnyOptimizerRun("AdamW", AdamW<Double>(learningRate: 0.01, weightDecay: 1e-5)),
        AnyOptimizerRun("RMSprop", RMSprop<Double>(learningRate: 1e-3)),
        AnyOptimizerRun("Adagrad", Adagrad<Double>(learningRate: 0.3)),
        AnyOptimizerRun("Lion", Lion<Double>(learningRate: 3e-3, schedule: ExponentialDecay(initialValue: 3e-3, gamma: 0.999))),
    ]

    @Test(arguments: rosenbrockCases)
    func convergesOnRosenbrock(_ optimizer: AnyOptimizerRun) throws {
        let start = ParameterSet([(ParameterKey("xy"), Tensor<Double>([0, 0]))])
        let trajectory = try optimizer.run(start, 5000, Self.rosenbrockGradient)
        let loss = Self.rosenbrockLoss(trajectory.last!)
        #expect(loss < 1e-3, "\(optimizer.name): final Rosenbrock loss \(loss) at \(trajectory.last![0].scalars)")
    }

    // MARK: properties

    static let problem = OptimizerReference.shared

    @Test(arguments: optimizers)
    func zeroGradientIsAFixedPoint(_ optimizer: AnyOptimizerRun) throws {
        let start = Self.problem.set(Self.problem.initial)
        let trajectory = try optimizer.run(start, 3) { p, _ in p.zerosLike() }
        for parameters in trajectory { #expect(parameters == start, "\(optimizer.name) moved on a zero gradient") }
    }

    @Test func firstStepScalesLinearlyWithLearningRate() throws {
        let start = Self.problem.set(Self.problem.initial)
        let pairs: [(AnyOptimizerRun, AnyOptimizerRun)] = [
            (AnyOptimizerRun("SGD", SGD<Double>(learningRate: 0.1, momentum: 0.9)), AnyOptimizerRun("SGD", SGD<Double>(learningRate: 0.3, momentum: 0.9))),
            (AnyOptimizerRun("Adam", Adam<Double>(learningRate: 0.1)), AnyOptimizerRun("Adam", Adam<Double>(learningRate: 0.3))),
            (AnyOptimizerRun("AdamW", AdamW<Double>(learningRate: 0.1)), AnyOptimizerRun("AdamW", AdamW<Double>(learningRate: 0.3))),
            (AnyOptimizerRun("RMSprop", RMSprop<Double>(learningRate: 0.1, momentum: 0.9, centered: true)), AnyOptimizerRun("RMSprop", RMSprop<Double>(learningRate: 0.3, momentum: 0.9, centered: true))),
            (AnyOptimizerRun("Adagrad", Adagrad<Double>(learningRate: 0.1)), AnyOptimizerRun("Adagrad", Adagrad<Double>(learningRate: 0.3))),
            (AnyOptimizerRun("Lion", Lion<Double>(learningRate: 0.1, weightDecay: 0.1)), AnyOptimizerRun("Lion", Lion<Double>(learningRate: 0.3, weightDecay: 0.1))),
        ]
        let gradient = { (p: ParameterSet<Double>, t: Int) in Self.problem.gradient(at: p, step: t) }
        for (small, large) in pairs {
            let a = try small.run(start, 1, gradient)[0] - start
            let b = try large.run(start, 1, gradient)[0] - start
            #expect(maxRelativeDifference(a.scaled(by: 3), b) < 1e-12, "\(small.name) first step is not linear in the learning rate")
            #expect(a.globalNorm() > 0)
        }
    }

    @Test func stateCodableRoundTripContinuesIdentically() throws {
        try checkRoundTrip(SGD<Double>(learningRate: 0.05, momentum: 0.9, nesterov: true))
        try checkRoundTrip(Adam<Double>(learningRate: 0.05, amsgrad: true))
        try checkRoundTrip(AdamW<Double>(learningRate: 0.05))
        try checkRoundTrip(RMSprop<Double>(learningRate: 0.01, momentum: 0.9, centered: true))
        try checkRoundTrip(Adagrad<Double>(learningRate: 0.1, learningRateDecay: 0.1))
        try checkRoundTrip(Lion<Double>(learningRate: 0.01, weightDecay: 0.1))
        try checkRoundTrip(Adam<Float>(learningRate: 0.05, weightDecay: 0.1))
    }

    func checkRoundTrip<O: Optimizer>(_ optimizer: O) throws where O.State: Equatable {
        let start = Self.problem.set(Self.problem.initial).recast(to: O.Scalar.self)
        var parameters = start
        var state = optimizer.makeState(for: parameters)
        func step(_ parameters: inout ParameterSet<O.Scalar>, _ state: inout O.State, _ t: Int) throws {
            var updates = Self.problem.gradient(at: parameters.recast(to: Double.self), step: t)
                .recast(to: O.Scalar.self)
            var context = TransformContext(step: t, parameters: parameters)
            try optimizer.apply(to: &updates, state: &state, context: &context)
            parameters += updates
        }
        for t in 0..<5 { try step(&parameters, &state, t) }
        var restored = try JSONDecoder().decode(O.State.self, from: JSONEncoder().encode(state))
        #expect(restored == state, "\(O.self) state changed in a JSON round trip")
        var restoredParameters = parameters
        for t in 5..<10 {
            try step(&parameters, &state, t)
            try step(&restoredParameters, &restored, t)
        }
        #expect(restoredParameters == parameters, "\(O.self) diverged after restoring its state")
        #expect(restored == state)
    }

    @Test func scheduleReplacesTheLearningRate() throws {
        let start = Self.problem.set(Self.problem.initial)
        let schedule = ExponentialDecay(initialValue: 0.1, gamma: 0.8)
        let scheduled = Adam<Double>(learningRate: 123, schedule: schedule)
        var manual = Adam<Double>(learningRate: 0.1)
        var expected = start, actual = start
        var manualState = manual.makeState(for: start), scheduledState = scheduled.makeState(for: start)
        for t in 0..<6 {
            manual.learningRate = schedule.value(at: t)
            var u1 = Self.problem.gradient(at: expected, step: t), u2 = Self.problem.gradient(at: actual, step: t)
            var c1 = TransformContext(step: t, parameters: expected), c2 = TransformContext(step: t, parameters: actual)
            try manual.apply(to: &u1, state: &manualState, context: &c1)
            try scheduled.apply(to: &u2, state: &scheduledState, context: &c2)
            expected += u1
            actual += u2
        }
        #expect(actual == expected)
    }

    @Test func floatAgreesWithDouble() throws {
        let reference = Self.problem
        let start = reference.set(reference.initial)
        let double = try runTrajectory(Adam<Double>(learningRate: 0.05, amsgrad: true), from: start, steps: 10) {
            reference.gradient(at: $0, step: $1)
        }
        let float = try runTrajectory(Adam<Float>(learningRate: 0.05, amsgrad: true), from: start.recast(to: Float.self), steps: 10) {
            reference.gradient(at: $0.recast(to: Double.self), step: $1).recast(to: Float.self)
        }
        let difference = maxRelativeDifference(float.last!.recast(to: Double.self), double.last!)
        #expect(difference < 1e-3, "Float Adam drifted from Double by \(difference)")
    }

    @Test func weightDecayReadsTheParametersFromTheContext() throws {
        // With a zero gradient, AdamW's update is exactly −lr·λ·θ and SGD's −lr·λ·θ.
        let start = Self.problem.set(Self.problem.initial)
        for optimizer in [AnyOptimizerRun("AdamW", AdamW<Double>(learningRate: 0.1, weightDecay: 0.5)),
                          AnyOptimizerRun("SGD", SGD<Double>(learningRate: 0.1, weightDecay: 0.5))] {
            let step = try optimizer.run(start, 1) { p, _ in p.zerosLike() }[0] - start
            #expect(maxRelativeDifference(step, start.scaled(by: -0.05)) < 1e-12, "\(optimizer.name)")
        }
    }
}

extension AnyOptimizerRun: CustomTestStringConvertible {
    var testDescription: String { name }
}
