import KeelMonitors
import Testing

/// `GradientFlowSampler` asks for the gradient-flow profile on multiples of its interval only.
@Suite struct GradientFlowSamplerTests {
    @Test func asksForTheProfileEveryNSteps() {
        let sampler = GradientFlowSampler(every: 5)
        #expect(sampler.needs == .gradientFlow)
        #expect((0..<12).filter { sampler.needs(atStep: $0) == .gradientFlow } == [0, 5, 10])
        #expect(sampler.needs(atStep: 3).isEmpty)
    }
}
