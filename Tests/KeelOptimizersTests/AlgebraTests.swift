import Foundation
import Testing
import KeelOptimizers

@Suite struct AlgebraTests {
    private let addOne = Stateless<Double>(name: "AddOne") { updates, _ in updates = updates.map { $0 + 1.0 } }

    @Test func chainAppliesTopToBottom() throws {
        let gradients = pipelineSet { _, i in Double(i) }
        var scaleThenAdd = Chain { Scale<Double>(2); addOne }
        var addThenScale = Chain { addOne; Scale<Double>(2) }
        var state1 = scaleThenAdd.makeState(for: gradients)
        var state2 = addThenScale.makeState(for: gradients)
        let first = try pipelineStep(scaleThenAdd, gradients, state: &state1).output
        let second = try pipelineStep(addThenScale, gradients, state: &state2).output
        #expect(first == pipelineSet { _, i in 2 * Double(i) + 1 })
        #expect(second == pipelineSet { _, i in 2 * (Double(i) + 1) })
        scaleThenAdd.first.factor = 3
        addThenScale.second.factor = 3
        #expect(try pipelineStep(scaleThenAdd, gradients, state: &state1).output == pipelineSet { _, i in 3 * Double(i) + 1 })
    }

    @Test func builderNestsToTheLeftWithStaticTypes() throws {
        let pipeline = Chain {
            ZeroNonFinite<Double>()
            GlobalNormClipper<Double>(maxNorm: 1)
            ValueClipper<Double>(maxValue: 0.1)
        }
        let typed: Chain<Chain<ZeroNonFinite<Double>, GlobalNormClipper<Double>>, ValueClipper<Double>> = pipeline
        var state = typed.makeState(for: pipelineRandomSet(seed: 1))
        let reports = try pipelineStep(typed, pipelineRandomSet(seed: 1, scale: 10), state: &state).reports
        #expect(reports.map(\.transform) == ["ZeroNonFinite", "GlobalNormClipper", "ValueClipper"])
        let single = gradientPipeline { Scale<Double>(2) }
        #expect(single.factor == 2)
    }

    @Test func identityAndUnitScaleAreBitIdentical() throws {
        let gradients = pipelineRandomSet(seed: 2)
        var empty = EmptyTransformState()
        #expect(pipelineBits(try pipelineStep(IdentityTransform<Double>(), gradients, state: &empty).output) == pipelineBits(gradients))
        #expect(pipelineBits(try pipelineStep(Scale<Double>(1), gradients, state: &empty).output) == pipelineBits(gradients))
        var chainState = Chain(IdentityTransform<Double>(), Scale<Double>(-0.5)).makeState(for: gradients)
        let chained = try pipelineStep(Chain(IdentityTransform<Double>(), Scale<Double>(-0.5)), gradients, state: &chainState).output
        #expect(chained == gradients.scaled(by: -0.5))
    }

    private static func statefulChain() -> some GradientTransform<Double> {
        Chain {
            ZeroNonFinite<Double>()
            SpikeClipper<Double>(theta: 4, beta2: 0.9)
            AutoClipper<Double>(percentile: 60, historyLimit: 4)
            Scale<Double>(-0.1)
        }
    }

    @Test func erasedChainMatchesStaticChainBitForBit() throws {
        let pipeline = Self.statefulChain()
        let erased = AnyGradientTransform(pipeline)
        var staticState = pipeline.makeState(for: pipelineRandomSet(seed: 0))
        var erasedState = erased.makeState(for: pipelineRandomSet(seed: 0))
        for step in 0..<12 {
            let gradients = pipelineRandomSet(seed: UInt64(step + 10), scale: step % 5 == 4 ? 100 : 1)
            let expected = try pipelineStep(pipeline, gradients, state: &staticState, step: step)
            let actual = try pipelineStep(erased, gradients, state: &erasedState, step: step)
            #expect(pipelineBits(actual.output) == pipelineBits(expected.output))
            #expect(actual.reports == expected.reports)
        }
        #expect(AnyGradientTransform(erased).stateTypeName == erased.stateTypeName)
    }

    @Test func erasedStateIsMutatedInPlaceNotCopied() throws {
        let erased = AnyGradientTransform(SpikeClipper<Double>(theta: 50))
        var state = erased.makeState(for: pipelineRandomSet(seed: 0))
        func momentAddress(_ state: AnyTransformState) -> UInt? {
            state.withConcreteState(as: SpikeClipperState<Double>.self) { pipelineStorageAddress($0.secondMoment[0]) }
        }
        _ = try pipelineStep(erased, pipelineRandomSet(seed: 1), state: &state)
        let address = try #require(momentAddress(state))
        for step in 1..<20 {
            _ = try pipelineStep(erased, pipelineRandomSet(seed: UInt64(step)), state: &state, step: step)
            #expect(momentAddress(state) == address)
        }
        // A live copy (a snapshot) makes the next step detach, and the snapshot keeps its values.
        let snapshot = state
        let before = try #require(snapshot.withConcreteState(as: SpikeClipperState<Double>.self) { $0 })
        _ = try pipelineStep(erased, pipelineRandomSet(seed: 99), state: &state, step: 20)
        #expect(momentAddress(state) != address)
        #expect(momentAddress(snapshot) == address)
        #expect(snapshot.withConcreteState(as: SpikeClipperState<Double>.self) { $0 } == before)
        #expect(state.withConcreteState(as: SpikeClipperState<Double>.self) { $0.step } == 21)
    }

    @Test func staticAndErasedStatesRoundTripThroughJSON() throws {
        let pipeline = Self.statefulChain()
        let erased = AnyGradientTransform(pipeline)
        var staticState = pipeline.makeState(for: pipelineRandomSet(seed: 0))
        var erasedState = erased.makeState(for: pipelineRandomSet(seed: 0))
        for step in 0..<4 {
            _ = try pipelineStep(pipeline, pipelineRandomSet(seed: UInt64(step)), state: &staticState, step: step)
            _ = try pipelineStep(erased, pipelineRandomSet(seed: UInt64(step)), state: &erasedState, step: step)
        }
        var restoredStatic = try JSONDecoder().decode(
            type(of: staticState), from: JSONEncoder().encode(staticState))
        var restoredErased = try erased.decodeState(from: JSONEncoder().encode(erasedState))
        #expect(restoredErased.typeName == erasedState.typeName)
        for step in 4..<10 {
            let gradients = pipelineRandomSet(seed: UInt64(step), scale: step == 6 ? 50 : 1)
            let a = try pipelineStep(pipeline, gradients, state: &staticState, step: step).output
            let b = try pipelineStep(pipeline, gradients, state: &restoredStatic, step: step).output
            let c = try pipelineStep(erased, gradients, state: &erasedState, step: step).output
            let d = try pipelineStep(erased, gradients, state: &restoredErased, step: step).output
            #expect(pipelineBits(a) == pipelineBits(b))
            #expect(pipelineBits(c) == pipelineBits(d))
            #expect(pipelineBits(a) == pipelineBits(c))
        }
    }

    @Test func erasedStateWithoutDecodersFailsWithAClearError() throws {
        let erased = AnyGradientTransform(GlobalNormClipper<Double>(maxNorm: 1))
        let data = try JSONEncoder().encode(erased.makeState(for: pipelineRandomSet(seed: 0)))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AnyTransformState.self, from: data) }
        let other = AnyGradientTransform(SpikeClipper<Double>())
        #expect(throws: DecodingError.self) { try other.decodeState(from: data) }
        #expect(try erased.decodeState(from: data).typeName == erased.stateTypeName)
    }

    @Test func statelessSeesTheContextAndMayThrow() throws {
        struct Refused: Error {}
        let refuse = Stateless<Double>(name: "Refuse") { _, context in
            if context.step == 3 { throw Refused() }
        }
        var state = EmptyTransformState()
        _ = try pipelineStep(refuse, pipelineRandomSet(seed: 0), state: &state, step: 2)
        #expect(throws: Refused.self) { try pipelineStep(refuse, pipelineRandomSet(seed: 0), state: &state, step: 3) }
    }

    @Test func errorDescriptionsNameTheParameter() {
        let error = GradientTransformError.nonFiniteGradient(transform: "GlobalNormClipper", key: "head.weight", norm: .nan)
        #expect(error.description.contains("head.weight"))
        #expect(GradientTransformError.missingParameter(transform: "AGC", key: "a.b").description.contains("a.b"))
    }
}
