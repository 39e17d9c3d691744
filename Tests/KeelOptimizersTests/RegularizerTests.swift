import Foundation
import Testing
import KeelOptimizers

/// Regularizers: equivalences with the optimizers' built-in decay, masks, L1's sign rule.
@Suite struct RegularizerTests {
    static let problem = OptimizerReference.shared

    /// Runs `first` then `second` as one pipeline for `steps` steps on the reference problem.
    func runPipeline<A: GradientTransform, B: GradientTransform>(_ first: A, _ second: B, steps: Int) throws -> ParameterSet<Double>
    where A.Scalar == Double, B.Scalar == Double {
        var parameters = Self.problem.set(Self.problem.initial)
        var firstState = first.makeState(for: parameters), secondState = second.makeState(for: parameters)
        for t in 0..<steps {
            var updates = Self.problem.gradient(at: parameters, step: t)
            var context = TransformContext(step: t, parameters: parameters)
            try first.apply(to: &updates, state: &firstState, context: &context)
            try second.apply(to: &updates, state: &secondState, context: &context)
            parameters += updates
        }
        return parameters
    }

    func runAlone<O: Optimizer>(_ optimizer: O, steps: Int) throws -> ParameterSet<Double> where O.Scalar == Double {
        try runTrajectory(optimizer, from: Self.problem.set(Self.problem.initial), steps: steps) {
            Self.problem.gradient(at: $0, step: $1)
        }.last!
    }

    @Test func l2BeforeAnOptimizerIsItsCoupledWeightDecay() throws {
        let sgd = try runPipeline(L2Regularization<Double>(coefficient: 0.1), SGD<Double>(learningRate: 0.05, momentum: 0.9), steps: 10)
        #expect(maxRelativeDifference(sgd, try runAlone(SGD<Double>(learningRate: 0.05, momentum: 0.9, weightDecay: 0.1), steps: 10)) < 1e-12)
        let adam = try runPipeline(L2Regularization<Double>(coefficient: 0.1), Adam<Double>(learningRate: 0.05), steps: 10)
        #expect(maxRelativeDifference(adam, try runAlone(Adam<Double>(learningRate: 0.05, weightDecay: 0.1), steps: 10)) < 1e-12)
    }

    @Test func decoupledDecayAfterAdamIsAdamW() throws {
        let pipeline = try runPipeline(
            Adam<Double>(learningRate: 0.05), DecoupledWeightDecay<Double>(rate: 0.1, learningRate: 0.05), steps: 10)
        let adamW = try runAlone(AdamW<Double>(learningRate: 0.05, weightDecay: 0.1), steps: 10)
        #expect(maxRelativeDifference(pipeline, adamW) < 1e-12)
    }

    @Test func decoupledDecayFollowsItsSchedule() throws {
        let schedule = ExponentialDecay(initialValue: 0.05, gamma: 0.9)
        let pipeline = try runPipeline(
            Adam<Double>(learningRate: 1, schedule: schedule),
            DecoupledWeightDecay<Double>(rate: 0.1, learningRate: 1, schedule: schedule), steps: 8)
        let adamW = try runAlone(AdamW<Double>(learningRate: 1, weightDecay: 0.1, schedule: schedule), steps: 8)
        #expect(maxRelativeDifference(pipeline, adamW) < 1e-12)
    }

    @Test func l1AddsTheSignOfTheParameters() throws {
        let parameters = ParameterSet<Double>([(ParameterKey("w"), Tensor(shape: [2, 2], scalars: [2, -3, 0, 0.5]))])
        var updates = ParameterSet<Double>([(ParameterKey("w"), Tensor(shape: [2, 2], scalars: [1, 1, 1, 1]))])
        var state = RegularizationState()
        var context = TransformContext(step: 0, parameters: parameters)
        try L1Regularization<Double>(coefficient: 0.25).apply(to: &updates, state: &state, context: &context)
        #expect(updates[0].scalars == [1.25, 0.75, 1, 1.25])
    }

    @Test func masksSkipBiasesAndNormParameters() throws {
        let parameters = ParameterSet<Double>([
            (ParameterKey("dense.weight"), Tensor(shape: [2, 2], repeating: 1)),
            (ParameterKey("dense.bias"), Tensor(shape: [2], repeating: 1)),
            (ParameterKey("norm.scale"), Tensor(shape: [2], repeating: 1)),
            (ParameterKey("lstm.biasHH"), Tensor(shape: [1, 2], repeating: 1)),
            (ParameterKey("embedding.table"), Tensor(shape: [3, 2], repeating: 1)),
        ])
        func decayed(_ mask: DecayMask) throws -> [Bool] {
            var updates = parameters.zerosLike()
            var state = RegularizationState()
            var context = TransformContext(step: 0, parameters: parameters)
            try L2Regularization<Double>(coefficient: 1, mask: mask).apply(to: &updates, state: &state, context: &context)
            return updates.tensors.map { $0.sumOfSquares() > 0 }
        }
        #expect(try decayed(.excludingBiasesAndNorms) == [true, false, false, false, true])
        #expect(try decayed(.all) == [true, true, true, true, true])
        #expect(try decayed(DecayMask { !$0.hasPrefix("embedding") }) == [true, true, true, true, false])

        var updates = parameters.zerosLike()
        var state = DecoupledWeightDecay<Double>(rate: 0, learningRate: 0).makeState(for: parameters)
        var context = TransformContext(step: 0, parameters: parameters)
        try DecoupledWeightDecay<Double>(rate: 0.5, learningRate: 0.1) { $0.name == "weight" }
            .apply(to: &updates, state: &state, context: &context)
        #expect(updates.tensors.map { $0.scalars.first! } == [-0.05, 0, 0, 0, 0])
        var l1Updates = parameters.zerosLike()
        var l1State = RegularizationState()
        try L1Regularization<Double>(coefficient: 2, mask: .excludingBiasesAndNorms).apply(to: &l1Updates, state: &l1State, context: &context)
        #expect(l1Updates.tensors.map { $0.scalars.first! } == [2, 0, 0, 0, 2])
    }

    @Test func zeroCoefficientIsAnExactIdentity() throws {
        let parameters = Self.problem.set(Self.problem.initial)
        let gradient = Self.problem.gradient(at: parameters, step: 0)
        var context = TransformContext(step: 0, parameters: parameters)
        var updates = gradient
        var state = RegularizationState()
        try L2Regularization<Double>(coefficient: 0).apply(to: &updates, state: &state, context: &context)
        try L1Regularization<Double>(coefficient: 0).apply(to: &updates, state: &state, context: &context)
        var decayState = DecoupledWeightDecay<Double>(rate: 0, learningRate: 1).makeState(for: parameters)
        try DecoupledWeightDecay<Double>(rate: 0, learningRate: 1).apply(to: &updates, state: &decayState, context: &context)
        #expect(updates == gradient)
        #expect(decayState.step == 1)
    }
}
