import Testing
import KeelData

@Test func moduleReexportsCore() { #expect(Tensor<Float>.zeros([1]).scalarCount == 1) }
