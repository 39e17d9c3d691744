import Testing
import KeelTrainer

@Test func moduleReexportsCore() { #expect(Tensor<Float>.zeros([1]).scalarCount == 1) }
