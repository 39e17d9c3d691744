import Testing
import KeelOptimizers

/// Trajectories of every optimizer option combination against Reference/optimizers_reference.py,
/// an independent NumPy implementation of PyTorch's documented algorithms.
@Suite struct OptimizerReferenceTests {
    static let reference = OptimizerReference.shared

    @Test(arguments: 0..<OptimizerReference.shared.optimizers.count)
    func trajectoryMatchesReference(caseIndex: Int) throws {
        let reference = Self.reference
        let testCase = reference.optimizers[caseIndex]
        let optimizer = makeOptimizer(testCase.name, testCase.options)
        let trajectory = try optimizer.run(reference.set(reference.initial), testCase.trajectory.count) {
            reference.gradient(at: $0, step: $1)
        }
        for (step, (actual, expected)) in zip(trajectory, testCase.trajectory).enumerated() {
            let difference = maxRelativeDifference(actual, reference.set(expected))
            #expect(difference < 1e-6, "\(testCase.name) \(testCase.options) step \(step + 1): relative difference \(difference)")
        }
    }

    @Test func referenceCoversEveryOptimizer() {
        let names = Set(Self.reference.optimizers.map(\.name))
        #expect(names == ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Lion"])
        #expect(Self.reference.optimizers.count >= 20)
    }
}
