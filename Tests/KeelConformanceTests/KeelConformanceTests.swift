import Testing
import KeelConformance

@Test func moduleReexportsCore() { #expect(Tensor<Float>.zeros([1]).scalarCount == 1) }
