import Testing
import KeelOptimizers

@Test func optimizersModuleReexportsCore() { #expect(ParameterSet<Float>().isEmpty) }
