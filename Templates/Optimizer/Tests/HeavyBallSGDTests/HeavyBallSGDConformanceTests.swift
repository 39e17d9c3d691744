import HeavyBallSGD
import KeelConformance
import Testing

/// HeavyBallSGD keeps every optimizer law (with a golden trajectory from an independent
/// reference) and every gradient-transform law.
@Suite struct HeavyBallSGDConformanceTests {
    /// The same rule written out in Double, independently of the optimizer under test.
    static func referenceTrajectory(on problem: OptimizationProblem, learningRate: Double, momentum: Double, steps: Int) -> [[Double]] {
        var x = problem.initialPoint
        var velocity = Array(repeating: 0.0, count: x.count)
        var points: [[Double]] = []
        for _ in 0..<steps {
            let gradient = problem.gradient(at: x)
            for i in x.indices {
                velocity[i] = momentum * velocity[i] + gradient[i]
                x[i] -= learningRate * velocity[i]
            }
            points.append(x)
        }
        return points
    }

    static let suite = OptimizerConformance(
        HeavyBallSGD<Float>(learningRate: 0.02, momentum: 0.9),
        parabola: OptimizationSettings(learningRate: 0.02, steps: 500, tolerance: 1e-2),
        rosenbrock: OptimizationSettings(learningRate: 2e-4, steps: 10_000, tolerance: 0.1),
        goldenTrajectory: GoldenTrajectory(
            problem: .parabola, learningRate: 0.02,
            points: referenceTrajectory(on: .parabola, learningRate: 0.02, momentum: 0.9, steps: 50), tolerance: 1e-5),
        // The same rule for one coordinate, from the paper: the suite compares every update.
        reference: { gradients, _, learningRate in
            var velocity = 0.0
            return gradients.map { gradient in
                velocity = 0.9 * velocity + gradient
                return -learningRate * velocity
            }
        },
        firstStep: .gradientTimesLearningRate)

    @Test(arguments: OptimizerLaw.allCases)
    func optimizerLaw(_ law: OptimizerLaw) throws {
        try Self.suite.check(law)
    }

    @Test(arguments: GradientTransformLaw.allCases)
    func transformLaw(_ law: GradientTransformLaw) throws {
        try Self.suite.check(law)
    }
}
