import Testing
import KeelCore

@Suite struct ReductionTests {
    static let values: [Double] = (0..<24).map { Double($0) - 7 }
    let x = Tensor<Double>(shape: [2, 3, 4], scalars: values)

    @Test func wholeTensor() {
        let values = Self.values
        let sum = values.reduce(0, +)
        let absoluteSum = values.map { Swift.abs($0) }.reduce(0, +)
        let sumOfSquares = values.map { $0 * $0 }.reduce(0, +)
        #expect(x.sum() == sum)
        #expect(x.mean() == x.sum() / 24)
        #expect(x.max() == 16)
        #expect(x.min() == -7)
        #expect(x.argmax() == 23)
        #expect(x.l1Norm() == absoluteSum)
        #expect(x.sumOfSquares() == sumOfSquares)
        #expect(x.l2Norm() == x.sumOfSquares().squareRoot())
        #expect(x.lInfinityNorm() == 16)
        #expect(Tensor<Float>([3, -4]).norm(.l2) == 5)
        #expect(Tensor<Float>([3, -4]).norm(.l1) == 7)
        #expect(Tensor<Float>([3, -4]).norm(.infinity) == 4)
    }

    @Test func emptyTensorIdentities() {
        let empty = Tensor<Float>.zeros([0])
        #expect(empty.sum() == 0)
        #expect(empty.max() == -.infinity)
        #expect(empty.min() == .infinity)
        #expect(empty.l2Norm() == 0)
        #expect(empty.lInfinityNorm() == 0)
        #expect(empty.mean().isNaN)
    }

    @Test func nonFiniteValuesAreCountedAndPropagate() {
        let t = Tensor<Float>([1, .nan, .infinity, -.infinity, 2])
        #expect(t.nonFiniteCount == 3)
        #expect(t.max().isNaN)
        #expect(t.lInfinityNorm().isNaN)
        #expect(t.argmax() == 1)
        #expect(Tensor<Float>([1, .infinity]).max() == .infinity)
    }

    @Test func alongEachAxis() {
        // Reference: loop over indices.
        for axis in 0..<3 {
            let s = x.sum(alongAxis: axis)
            let m = x.max(alongAxis: axis)
            let n = x.min(alongAxis: axis)
            let a = x.argmax(alongAxis: axis)
            var expectedShape = x.shape
            expectedShape.remove(at: axis)
            #expect(s.shape == expectedShape)
            var index = 0
            for i in 0..<expectedShape[0] { for j in 0..<expectedShape[1] {
                var values: [Double] = []
                for k in 0..<x.shape[axis] {
                    var full = [i, j]
                    full.insert(k, at: axis)
                    values.append(x[scalarAt: full[0], full[1], full[2]])
                }
                #expect(s[scalarAt: i, j] == values.reduce(0, +))
                #expect(m[scalarAt: i, j] == values.max()!)
                #expect(n[scalarAt: i, j] == values.min()!)
                #expect(a[index] == values.firstIndex(of: values.max()!)!)
                index += 1
            } }
        }
        #expect(x.mean(alongAxis: -1).shape == [2, 3])
        #expect(x.mean(alongAxis: 1)[scalarAt: 1, 2] == (x[scalarAt: 1, 0, 2] + x[scalarAt: 1, 1, 2] + x[scalarAt: 1, 2, 2]) / 3)
        #expect(x.sum(alongAxis: 1, keepingDimension: true).shape == [2, 1, 4])
        #expect((x - x.mean(alongAxis: 2, keepingDimension: true)).sum(alongAxis: 2).lInfinityNorm() < 1e-12)
    }

    /// The last axis takes the one-call-per-row path: NaN still propagates through max and min,
    /// and a row of ±∞ reduces as the other axes do.
    @Test func lastAxisReductionsPropagateNaN() {
        let x = Tensor<Float>(shape: [3, 4], scalars: [1, .nan, 3, 4, -.infinity, 2, 5, .infinity, 7, 8, 9, 10])
        let maxima = x.max(alongAxis: 1), minima = x.min(alongAxis: 1), sums = x.sum(alongAxis: 1)
        #expect(maxima[0].scalar.isNaN && minima[0].scalar.isNaN && sums[0].scalar.isNaN)
        #expect(maxima[1].scalar == .infinity && minima[1].scalar == -.infinity && sums[1].scalar.isNaN)
        #expect(maxima[2].scalar == 10 && minima[2].scalar == 7 && sums[2].scalar == 34)
        #expect(x.transposed().max(alongAxis: 0)[2] == maxima[2] && x.transposed().sum(alongAxis: 0)[2] == sums[2])
    }

    @Test func floatSumsAccumulateInDouble() {
        // 20M ones: a Float accumulator would stall at 2^24 = 16,777,216.
        let ones = Tensor<Float>.ones([20_000_000])
        #expect(ones.sum() == 20_000_000)
    }
}
