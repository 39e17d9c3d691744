import Testing
import KeelCore

@Suite struct BroadcastingTests {
    @Test(arguments: [
        ([2, 3], [3], [2, 3]),
        ([4, 2, 3], [3], [4, 2, 3]),
        ([4, 2, 3], [2, 3], [4, 2, 3]),
        ([2, 1], [1, 3], [2, 3]),
        ([5, 1, 4], [3, 1], [5, 3, 4]),
        ([], [2, 2], [2, 2]),
        ([1], [7], [7]),
    ])
    func shapeRule(a: [Int], b: [Int], expected: [Int]) {
        #expect(Tensor<Float>.broadcastShape(a, b) == expected)
        #expect(Tensor<Float>.broadcastShape(b, a) == expected)
    }

    @Test func biasRowAddsToEveryRow() {
        let x = Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let bias = Tensor<Float>([10, 20, 30])
        #expect((x + bias).scalars == [11, 22, 33, 14, 25, 36])
        #expect((bias + x).scalars == [11, 22, 33, 14, 25, 36])
        #expect((x - bias).scalars == [-9, -18, -27, -6, -15, -24])
        #expect((bias - x).scalars == [9, 18, 27, 6, 15, 24])
        var y = x
        y += bias
        #expect(y.scalars == [11, 22, 33, 14, 25, 36])
    }

    @Test func sequenceTimesFeatureScale() {
        let x = Tensor<Double>(shape: [2, 2, 3], scalars: (1...12).map(Double.init))
        let scale = Tensor<Double>([1, 10, 100])
        let y = x * scale
        for t in 0..<2 { for b in 0..<2 { for f in 0..<3 {
            #expect(y[scalarAt: t, b, f] == x[scalarAt: t, b, f] * scale[scalarAt: f])
        } } }
    }

    @Test func columnAndOuterBroadcast() {
        let column = Tensor<Double>(shape: [2, 1], scalars: [1, 2])
        let row = Tensor<Double>(shape: [1, 3], scalars: [10, 20, 30])
        #expect((column * row).scalars == [10, 20, 30, 20, 40, 60])
        #expect((column + row).shape == [2, 3])
        let m = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect((m / column).scalars == [1, 2, 3, 2, 2.5, 3])
        // A middle broadcast axis: [5, 1, 4] with [3, 1] gives [5, 3, 4].
        let a = Tensor<Double>(shape: [5, 1, 4], scalars: (0..<20).map(Double.init))
        let b = Tensor<Double>(shape: [3, 1], scalars: [100, 200, 300])
        let c = a + b
        #expect(c.shape == [5, 3, 4])
        for i in 0..<5 { for j in 0..<3 { for k in 0..<4 {
            #expect(c[scalarAt: i, j, k] == a[scalarAt: i, 0, k] + b[scalarAt: j, 0])
        } } }
    }

    @Test func scalarOperands() {
        let x = Tensor<Float>([1, 2, 4])
        #expect((x * 2).scalars == [2, 4, 8])
        #expect((2 * x).scalars == [2, 4, 8])
        #expect((1 / x).scalars == [1, 0.5, 0.25])
        #expect((x - 1).scalars == [0, 1, 3])
        #expect((1 - x).scalars == [0, -1, -3])
        #expect((-x).scalars == [-1, -2, -4])
        var y = x
        y *= 3
        y -= 1
        y /= 2
        #expect(y.scalars == [1, 2.5, 5.5])
    }

    @Test func elementwiseFunctions() {
        let x = Tensor<Double>([-2, -0.5, 0, 0.5, 2])
        #expect(x.abs().scalars == [2, 0.5, 0, 0.5, 2])
        #expect(x.relu().scalars == [0, 0, 0, 0.5, 2])
        #expect(x.squared().scalars == [4, 0.25, 0, 0.25, 4])
        #expect(x.clamped(lower: -1, upper: 1).scalars == [-1, -0.5, 0, 0.5, 1])
        #expect(x.clamped(to: 0...0.5).scalars == [0, 0, 0, 0.5, 0.5])
        #expect(Tensor<Double>([4, 9]).squareRoot().scalars == [2, 3])
        #expect(Tensor<Double>([2, 3]).pow(3).scalars == [8, 27])
        #expect(Tensor.pow(Tensor<Double>([2, 3]), Tensor<Double>([2, 0.5])).isApproximatelyEqual(to: Tensor([4, 3.0.squareRoot()])))
        #expect(Swift.abs(Tensor<Double>([1]).exp().scalar - 2.718281828459045) <= 2 * 2.718281828459045.ulp)  // kernel bound: 2 ulp
        #expect(Tensor<Double>([1, 0]).log().scalars == [0, -.infinity])
        #expect(Tensor.maximum(x, Tensor(0.25)).scalars == [0.25, 0.25, 0.25, 0.5, 2])
        #expect(Tensor.minimum(x, Tensor(0.25)).scalars == [-2, -0.5, 0, 0.25, 0.25])
        #expect(Tensor.maximum(Tensor<Double>([.nan, 1]), Tensor<Double>([0, .nan])).nonFiniteCount == 2)
        #expect(Tensor<Double>([.nan]).relu().nonFiniteCount == 1)
        #expect(Tensor<Double>([.nan]).clamped(lower: 0, upper: 1).nonFiniteCount == 1)
    }

    @Test func addScaledIsAXPY() {
        var y = Tensor<Float>([1, 2, 3])
        y.addScaled(Tensor([1, 1, 1]), by: -0.5)
        #expect(y.scalars == [0.5, 1.5, 2.5])
    }
}
