import Testing
import KeelLayers

@Test func layersModuleReexportsCore() { #expect(Tensor<Float>.zeros([1]).scalarCount == 1) }
