import Foundation
import KeelOptimizers

// Helpers shared by the Algebra, Wrapper and Clipper tests.

/// The three-tensor layout used throughout: an `[out, in]` weight, a bias, a second weight.
let pipelineShapes: [(ParameterKey, [Int])] = [("layer.weight", [4, 3]), ("layer.bias", [3]), ("head.weight", [2, 2])]

/// A set shaped like `pipelineShapes` with normal entries of standard deviation `scale`.
func pipelineRandomSet(seed: UInt64, scale: Double = 1) -> ParameterSet<Double> {
    var generator = Xoshiro256StarStar(seed: seed)
    return ParameterSet(pipelineShapes.map { ($0.0, Tensor<Double>(randomNormal: $0.1, standardDeviation: scale, using: &generator)) })
}

/// A set shaped like `pipelineShapes` whose scalars are `fill(key, position)`.
func pipelineSet(_ fill: (ParameterKey, Int) -> Double) -> ParameterSet<Double> {
    ParameterSet(pipelineShapes.map { key, shape in
        let count = shape.reduce(1, *)
        return (key, Tensor<Double>(shape: shape, scalars: (0..<count).map { fill(key, $0) }))
    })
}

/// The bit patterns of every scalar, for bit-identity checks (NaN payloads included).
func pipelineBits(_ set: ParameterSet<Double>) -> [[UInt64]] {
    set.tensors.map { $0.scalars.map(\.bitPattern) }
}

/// Whether two sets agree to `tolerance`, relative to max(1, |expected|).
func pipelineClose(_ actual: ParameterSet<Double>, _ expected: ParameterSet<Double>, tolerance: Double = 1e-12) -> Bool {
    guard actual.hasSameStructure(as: expected) else { return false }
    for (a, e) in zip(actual.tensors, expected.tensors) {
        for (x, y) in zip(a.scalars, e.scalars) where !(abs(x - y) <= tolerance * max(1, abs(y))) { return false }
    }
    return true
}

/// Runs `transform` for one step with a fresh context; returns the output and the reports.
func pipelineStep<T: GradientTransform>(
    _ transform: T, _ updates: ParameterSet<T.Scalar>, state: inout T.State, step: Int = 0,
    parameters: ParameterSet<T.Scalar>? = nil
) throws -> (output: ParameterSet<T.Scalar>, reports: [TransformReport]) {
    var output = updates
    var context = TransformContext(step: step, parameters: parameters ?? updates)
    try transform.apply(to: &output, state: &state, context: &context)
    return (output, context.reports)
}

/// The address of a tensor's storage, to show that a step did not copy it.
func pipelineStorageAddress<Scalar>(_ tensor: Tensor<Scalar>) -> UInt {
    tensor.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
}
