import Foundation
import Testing
import KeelOptimizers

@Suite struct WrapperTests {
    private static func isWeight(_ key: ParameterKey) -> Bool { key.name == "weight" }

    @Test func maskedLeavesUnselectedKeysBitIdentical() throws {
        let masked = Masked(Scale<Double>(3), where: Self.isWeight)
        let gradients = pipelineRandomSet(seed: 3)
        var state = masked.makeState(for: gradients)
        let output = try pipelineStep(masked, gradients, state: &state).output
        #expect(output.keys == gradients.keys)
        #expect(output["layer.bias"].scalars.map(\.bitPattern) == gradients["layer.bias"].scalars.map(\.bitPattern))
        #expect(output["layer.weight"] == gradients["layer.weight"] * 3.0)
        #expect(output["head.weight"] == gradients["head.weight"] * 3.0)
    }

    @Test func maskedInnerSeesOnlySelectedParameters() throws {
        let masked = Masked(Chain {
            SpikeClipper<Double>()
            Stateless<Double> { updates, context in
                precondition(context.parameters.keys == updates.keys)
                context.reports.append(.note(TransformNote(transform: "Probe", fired: false, detail: "\(updates.keys)")))
            }
        }, where: Self.isWeight)
        let gradients = pipelineRandomSet(seed: 4)
        var state = masked.makeState(for: gradients)
        #expect(state.first.secondMoment.keys == ["layer.weight", "head.weight"])
        let (output, reports) = try pipelineStep(masked, gradients, state: &state)
        #expect(reports.last?.detail == "\([ParameterKey("layer.weight"), "head.weight"])")
        #expect(output.keys == gradients.keys)
    }

    @Test func partitionedRoutesEachGroupToItsTransform() throws {
        let partitioned = Partitioned(
            ["weights": AnyGradientTransform(Scale<Double>(2)), "biases": AnyGradientTransform(GlobalNormClipper<Double>(maxNorm: 0))]
        ) { Self.isWeight($0) ? "weights" : "biases" }
        let gradients = pipelineRandomSet(seed: 5)
        var state = partitioned.makeState(for: gradients)
        let (output, reports) = try pipelineStep(partitioned, gradients, state: &state)
        #expect(output.keys == gradients.keys)
        #expect(output["layer.weight"] == gradients["layer.weight"] * 2.0)
        #expect(output["layer.bias"] == Tensor<Double>.zeros([3]))
        #expect(reports.map(\.transform) == ["GlobalNormClipper"])
        #expect(Set(state.groups.keys) == ["weights", "biases"])
        let restored = try JSONDecoder().decode(
            PartitionedState<AnyTransformState>.self, from: JSONEncoder().encode(state), decoders: partitioned)
        #expect(restored.groups.keys.sorted() == ["biases", "weights"])
    }

    @Test func applyIfFiniteSkipsThenGivesUpThenResetsTheCounter() throws {
        let guarded = ApplyIfFinite(SpikeClipper<Double>(theta: 1e6), maxConsecutiveErrors: 2)
        let finite = pipelineRandomSet(seed: 6)
        var poisoned = finite
        poisoned["layer.bias"] = Tensor([1, .nan, 2])
        var state = guarded.makeState(for: finite)

        var out = try pipelineStep(guarded, finite, state: &state).output
        #expect(pipelineBits(out) == pipelineBits(finite))
        #expect(state.inner.step == 1)
        // Two refusals: zero updates, inner state untouched.
        for expectedCount in 1...2 {
            out = try pipelineStep(guarded, poisoned, state: &state).output
            #expect(out == finite.zerosLike())
            #expect(state.consecutiveNonFinite == expectedCount)
            #expect(state.inner.step == 1)
        }
        // Third in a row: applied anyway, and the counter resets (optax#1746).
        out = try pipelineStep(guarded, poisoned, state: &state).output
        #expect(out["layer.bias"].scalars[1].isNaN)
        #expect(state.inner.step == 2)
        #expect(state.consecutiveNonFinite == 0)
        // So the next non-finite step is refused again.
        out = try pipelineStep(guarded, poisoned, state: &state).output
        #expect(out == finite.zerosLike())
        #expect(state.consecutiveNonFinite == 1)
        #expect(state.totalNonFinite == 4)
        #expect(state.lastFinite == false)
        out = try pipelineStep(guarded, finite, state: &state).output
        #expect(state.consecutiveNonFinite == 0)
        #expect(state.lastFinite)
    }

    @Test func zeroNonFiniteReplacesOnlyNonFiniteValues() throws {
        var gradients = pipelineRandomSet(seed: 7)
        gradients["layer.bias"] = Tensor([.nan, 1.5, .infinity])
        gradients["head.weight"] = Tensor(shape: [2, 2], scalars: [-.infinity, 2, 3, 4])
        var state = EmptyTransformState()
        let (output, reports) = try pipelineStep(ZeroNonFinite<Double>(), gradients, state: &state)
        #expect(output["layer.bias"].scalars == [0, 1.5, 0])
        #expect(output["head.weight"].scalars == [0, 2, 3, 4])
        #expect(pipelineBits(output)[0] == pipelineBits(gradients)[0])
        #expect(reports == [.note(TransformNote(transform: "ZeroNonFinite", fired: true, detail: "3 non-finite values zeroed, first in layer.bias"))])
        var floats = ParameterSet<Float>([("x", Tensor<Float>([.nan, 1, -.infinity]))])
        var context = TransformContext(step: 0, parameters: floats)
        try ZeroNonFinite<Float>().apply(to: &floats, state: &state, context: &context)
        #expect(floats["x"].scalars == [0, 1, 0])
    }

    @Test func accumulatingKMicroBatchesEqualsOneBigBatchStep() throws {
        let inner = Chain { GlobalNormClipper<Double>(maxNorm: 1); Scale<Double>(-0.1) }
        let accumulate = Accumulate(inner, steps: 4)
        let micro = (0..<4).map { pipelineRandomSet(seed: UInt64(20 + $0), scale: 2) }
        var state = accumulate.makeState(for: micro[0])
        for index in 0..<3 {
            let (output, reports) = try pipelineStep(accumulate, micro[index], state: &state)
            #expect(output == micro[0].zerosLike())
            #expect(!reports.contains { $0.transform == "GlobalNormClipper" })
        }
        let (output, reports) = try pipelineStep(accumulate, micro[3], state: &state)
        let mean = micro.dropFirst().reduce(micro[0], +).scaled(by: 0.25)
        var innerState = inner.makeState(for: mean)
        let expected = try pipelineStep(inner, mean, state: &innerState)
        #expect(pipelineClose(output, expected.output))
        // The clipper inside saw the accumulated gradient, once.
        let clip = try #require(reports.first { $0.transform == "GlobalNormClipper" })
        #expect(abs(try #require(clip.clip).normBefore - mean.globalNorm()) <= 1e-12 * mean.globalNorm())
        #expect(clip.fired)
        #expect(state.microStep == 0 && state.innerSteps == 1 && state.accumulated.isEmpty)
    }

    @Test func accumulateSumsAndCountsInnerSteps() throws {
        let probe = Stateless<Double> { _, context in
            context.reports.append(.note(TransformNote(transform: "Probe", fired: false, detail: "\(context.step)")))
        }
        let accumulate = Accumulate(probe, steps: 2, reduction: .sum)
        let g = pipelineRandomSet(seed: 30)
        var state = accumulate.makeState(for: g)
        var seen: [String] = []
        for step in 0..<6 {
            let (output, reports) = try pipelineStep(accumulate, g, state: &state, step: step)
            if step % 2 == 1 { #expect(pipelineClose(output, g + g)) }
            seen += reports.filter { $0.transform == "Probe" }.compactMap(\.detail)
        }
        #expect(seen == ["0", "1", "2"])
        let restored = try JSONDecoder().decode(type(of: state), from: JSONEncoder().encode(state))
        #expect(restored == state)
    }

    @Test func injectHyperparametersSetsTheThresholdEachStep() throws {
        let scheduled = InjectHyperparameters(GlobalNormClipper<Double>(maxNorm: 100), threshold: { step in step < 2 ? 100 : 0.5 })
        let gradients = pipelineRandomSet(seed: 8)
        var state = scheduled.makeState(for: gradients)
        for step in 0..<4 {
            let (output, reports) = try pipelineStep(scheduled, gradients, state: &state, step: step)
            let clip = try #require(reports.last)
            #expect(clip.clip?.threshold == (step < 2 ? 100 : 0.5))
            #expect(state.value == clip.clip?.threshold)
            if step >= 2 { #expect(abs(output.globalNorm() - 0.5) < 1e-12) }
        }
        #expect(scheduled.inner.maxNorm == 100)
    }
}

extension JSONDecoder {
    /// Decodes `type` with the erased-state decoders of every group of `partitioned` installed.
    fileprivate func decode<T: Decodable, Scalar>(
        _ type: T.Type, from data: Data, decoders partitioned: Partitioned<AnyGradientTransform<Scalar>>
    ) throws -> T {
        AnyTransformStateDecoders(Array(partitioned.transforms.values)).install(in: self)
        return try decode(type, from: data)
    }
}
