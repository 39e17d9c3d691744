import Foundation
import Testing
import KeelLayers

/// The fused softmax cross-entropy kernel on inputs large enough to be split over threads:
/// against a plain Double computation, identical on 1 and 2 threads, with ignored and NaN rows.
@Suite(.serialized) struct SoftmaxCrossEntropyKernelTests {
    static let shape = [40, 50, 65]  // 2,000 rows of a 65-symbol vocabulary (130,000 logits)

    static func inputs(seed: UInt64) -> (logits: Tensor<Float>, targets: Tensor<Float>) {
        var generator = Xoshiro256StarStar(seed: seed)
        let logits = (0..<shape.reduce(1, *)).map { _ in Float(generator.nextUnitDouble() * 12 - 6) }
        let targets = (0..<(shape[0] * shape[1])).map { _ in Float(generator.next() % UInt64(shape[2])) }
        return (Tensor(shape: shape, scalars: logits), Tensor(shape: Array(shape.dropLast()), scalars: targets))
    }

    /// ℓ and ∂ℓ/∂x from the definition, in Double, one row at a time.
    static func reference(_ logits: [Float], _ targets: [Float], classes: Int, ignore: Float?, mean: Bool) -> (Double, [Double]) {
        let rows = targets.count
        let counted = targets.filter { $0 != ignore }.count
        let scale = mean ? 1 / Double(counted) : 1
        var total = 0.0
        var gradient = [Double](repeating: 0, count: logits.count)
        for row in 0..<rows where targets[row] != ignore {
            let x = logits[(row * classes)..<((row + 1) * classes)].map(Double.init)
            let m = x.max()!
            let sum = x.reduce(0) { $0 + exp($1 - m) }
            let target = Int(targets[row])
            total += log(sum) - (x[target] - m)
            for j in 0..<classes { gradient[row * classes + j] = scale * (exp(x[j] - m) / sum - (j == target ? 1 : 0)) }
        }
        return (total * scale, gradient)
    }

    @Test(arguments: [LossReduction.mean, .sum])
    func matchesTheDefinitionAndTheThreadCount(reduction: LossReduction) throws {
        let (logits, initialTargets) = Self.inputs(seed: 5)
        var targetScalars = initialTargets.scalars
        for row in stride(from: 3, to: targetScalars.count, by: 17) { targetScalars[row] = -100 }  // ignored rows
        let targets = Tensor(shape: initialTargets.shape, scalars: targetScalars)
        let loss = SoftmaxCrossEntropy<Float>(reduction: reduction, ignoreIndex: -100)
        let saved = Kernels.threadCount
        defer { Kernels.threadCount = saved }
        Kernels.threadCount = 1
        let one = loss.valueAndGradient(predictions: logits, targets: targets)
        Kernels.threadCount = 2
        let two = loss.valueAndGradient(predictions: logits, targets: targets)
        #expect(one.value == two.value)
        #expect(one.gradient == two.gradient)
        #expect(one.gradient.shape == Self.shape)

        let (value, gradient) = Self.reference(logits.scalars, targetScalars, classes: 65, ignore: -100, mean: reduction == .mean)
        #expect(abs(Double(two.value) - value) <= 1e-6 * abs(value))
        let worst = zip(two.gradient.scalars, gradient).map { abs(Double($0) - $1) }.max()!
        #expect(worst <= (reduction == .mean ? 1e-9 : 1e-6), "largest gradient error \(worst)")
        // Ignored rows have no gradient.
        #expect(two.gradient.scalars[(3 * 65)..<(4 * 65)].allSatisfy { $0 == 0 })
    }

    @Test func aNaNLogitPoisonsItsRowOnly() {
        let (logits, targets) = Self.inputs(seed: 6)
        var scalars = logits.scalars
        scalars[7 * 65 + 30] = .nan
        let (value, gradient) = SoftmaxCrossEntropy<Float>().valueAndGradient(
            predictions: Tensor(shape: Self.shape, scalars: scalars), targets: targets)
        #expect(value.isNaN)
        #expect(gradient.scalars[(7 * 65)..<(8 * 65)].allSatisfy { $0.isNaN })
        #expect(gradient.scalars[(8 * 65)...].allSatisfy { $0.isFinite })
        #expect(gradient.scalars[..<(7 * 65)].allSatisfy { $0.isFinite })
    }

    /// `summedLoss` is the Double sum of the per-row losses, ignored rows left out.
    @Test func summedLossIsTheDoubleSumOfTheRows() {
        let (logits, targets) = Self.inputs(seed: 21)
        var indices = targets.scalars.map { Int($0) }
        for row in stride(from: 0, to: indices.count, by: 7) { indices[row] = 3 }
        let ignored = indices.map { Float($0) }
        let (expected, _) = Self.reference(logits.scalars, ignored, classes: Self.shape[2], ignore: 3, mean: false)
        let summed = SoftmaxCrossEntropy<Float>(ignoreIndex: 3).summedLoss(predictions: logits, targets: indices)
        #expect(abs(summed - expected) <= 1e-6 * expected, "\(summed) vs \(expected)")  // Float row arithmetic, as the mean
    }
}

