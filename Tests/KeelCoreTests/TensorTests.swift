import Foundation
import Testing
import KeelCore

@Suite struct TensorCreationTests {
    @Test func shapeAndScalars() {
        let t = Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.shape == [2, 3])
        #expect(t.rank == 2)
        #expect(t.scalarCount == 6)
        #expect(t.scalars == [1, 2, 3, 4, 5, 6])
        #expect(t[scalarAt: 1, 2] == 6)
        #expect(Tensor<Double>(3.5).shape == [])
        #expect(Tensor<Double>(3.5).scalar == 3.5)
        #expect(Tensor<Double>([1, 2]).shape == [2])
    }

    @Test func factories() {
        #expect(Tensor<Float>.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor<Float>.ones([3]).scalars == [1, 1, 1])
        #expect(Tensor<Double>.filled([2], with: 7).scalars == [7, 7])
        #expect(Tensor<Double>.arange(to: 5).scalars == [0, 1, 2, 3, 4])
        #expect(Tensor<Double>.arange(from: 1, to: 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(Tensor<Double>.arange(from: 3, to: 0, step: -1).scalars == [3, 2, 1])
        #expect(Tensor<Double>.arange(from: 3, to: 0).scalarCount == 0)
        #expect(Tensor<Float>.zeros([0, 4]).scalarCount == 0)
    }

    @Test func copyOnWriteKeepsCopiesIndependent() {
        var a = Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3, 4])
        let b = a
        #expect(a.sharesStorage(with: b))
        a[scalarAt: 0, 0] = 10
        #expect(!a.sharesStorage(with: b))
        #expect(b.scalars == [1, 2, 3, 4])
        #expect(a.scalars == [10, 2, 3, 4])

        var c = b
        c += Tensor<Float>.ones([2, 2])
        #expect(b.scalars == [1, 2, 3, 4])
        #expect(c.scalars == [2, 3, 4, 5])

        var d = b.reshaped(to: [4])
        #expect(d.sharesStorage(with: b))
        d.withUnsafeMutableBufferPointer { $0[0] = -1 }
        #expect(b.scalars == [1, 2, 3, 4])
        #expect(d.scalars == [-1, 2, 3, 4])
    }

    @Test func uniquelyOwnedStorageIsMutatedInPlace() {
        var a = Tensor<Double>.zeros([1024])
        let before = a.withUnsafeBufferPointer { $0.baseAddress! }
        a += 1
        a.apply(.exp)
        let after = a.withUnsafeBufferPointer { $0.baseAddress! }
        #expect(before == after)
    }
}

@Suite struct TensorShapeTests {
    let x = Tensor<Double>(shape: [2, 3, 4], scalars: (0..<24).map(Double.init))

    @Test func reshape() {
        #expect(x.reshaped(to: [6, 4]).shape == [6, 4])
        #expect(x.reshaped(to: [-1, 2]).shape == [12, 2])
        #expect(x.reshaped(to: [24]).scalars == x.scalars)
    }

    @Test func transposeSwapsLastTwoAxes() {
        let m = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(m.transposed().shape == [3, 2])
        #expect(m.transposed().scalars == [1, 4, 2, 5, 3, 6])
        let t = x.transposed()
        #expect(t.shape == [2, 4, 3])
        for b in 0..<2 { for i in 0..<3 { for j in 0..<4 { #expect(t[scalarAt: b, j, i] == x[scalarAt: b, i, j]) } } }
    }

    @Test func permuteAndSwapAxes() {
        let p = x.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        for a in 0..<2 { for b in 0..<3 { for c in 0..<4 { #expect(p[scalarAt: c, a, b] == x[scalarAt: a, b, c]) } } }
        let s = x.swappingAxes(0, 1)
        #expect(s.shape == [3, 2, 4])
        #expect(s[scalarAt: 2, 1, 3] == x[scalarAt: 1, 2, 3])
        #expect(s.swappingAxes(0, 1) == x)
    }

    @Test func slicesAlongTheFirstAxis() {
        #expect(x[1].shape == [3, 4])
        #expect(x[1].scalars == (12..<24).map(Double.init))
        #expect(x.slice(0..<1).shape == [1, 3, 4])
        #expect(x.slice(1..<1).shape == [0, 3, 4])
        let middle = x.slice(1..<3, alongAxis: 1)
        #expect(middle.shape == [2, 2, 4])
        #expect(middle[scalarAt: 1, 0, 2] == x[scalarAt: 1, 1, 2])
    }

    @Test func concatenateSplitStack() {
        let a = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
        let b = Tensor<Double>(shape: [2, 1], scalars: [5, 6])
        let joined = Tensor.concatenate([a, b], alongAxis: 1)
        #expect(joined.shape == [2, 3])
        #expect(joined.scalars == [1, 2, 5, 3, 4, 6])
        let rows = Tensor.concatenate([a, a], alongAxis: 0)
        #expect(rows.scalars == [1, 2, 3, 4, 1, 2, 3, 4])
        let parts = joined.split(sizes: [2, 1], alongAxis: 1)
        #expect(parts[0] == a)
        #expect(parts[1] == b)
        #expect(x.split(count: 2, alongAxis: -1).map(\.shape) == [[2, 3, 2], [2, 3, 2]])
        #expect(Tensor.concatenate(x.split(count: 3, alongAxis: 1), alongAxis: 1) == x)
        let stacked = Tensor.stack([a, a * 2], alongAxis: 0)
        #expect(stacked.shape == [2, 2, 2])
        #expect(stacked[1] == a * 2)
        let stackedLast = Tensor.stack([a, a * 2], alongAxis: 2)
        #expect(stackedLast.shape == [2, 2, 2])
        #expect(stackedLast.scalars == [1, 2, 2, 4, 3, 6, 4, 8])
    }
}

@Suite struct TensorCodableTests {
    @Test func roundTripThroughJSON() throws {
        let t = Tensor<Float>(shape: [2, 1, 3], scalars: [1.5, -2, 3e-8, 4, 5, .pi])
        let data = try JSONEncoder().encode(t)
        #expect(try JSONDecoder().decode(Tensor<Float>.self, from: data) == t)
        let d = Tensor<Double>(shape: [], scalars: [0.1])
        #expect(try JSONDecoder().decode(Tensor<Double>.self, from: JSONEncoder().encode(d)) == d)
    }

    @Test func countMismatchIsRejectedWithItsNumbers() {
        let json = Data(#"{"shape":[2,2],"scalars":[1,2,3]}"#.utf8)
        #expect {
            try JSONDecoder().decode(Tensor<Float>.self, from: json)
        } throws: { error in
            "\(error)".contains("needs 4 scalars, found 3")
        }
    }

    @Test func negativeExtentIsRejected() {
        let json = Data(#"{"shape":[-1,2],"scalars":[]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Tensor<Float>.self, from: json) }
    }
}

@Suite struct TensorDescriptionTests {
    // Expected strings are NumPy's str() of the same arrays (numpy 2.4), see Reference/.
    @Test func printsLikeNumPy() {
        #expect(Tensor<Float>([1, 2, 3]).description == "[1. 2. 3.]")
        #expect(Tensor<Double>([1.5, 2, -3]).description == "[ 1.5  2.  -3. ]")
        #expect(Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4]).description == "[[1. 2.]\n [3. 4.]]")
        #expect(Tensor<Double>(shape: [2, 1, 2], scalars: [1, 2, 3, 4]).description == "[[[1. 2.]]\n\n [[3. 4.]]]")
        #expect(Tensor<Double>(2.5).description == "2.5")
        #expect(Tensor<Double>([.nan, .infinity, 1]).description == "[nan inf  1.]")
        #expect(Tensor<Double>([.nan, 1.5, -.infinity, 100]).description == "[  nan   1.5  -inf 100. ]")
        #expect(Tensor<Double>([.nan, 1e-7]).description == "[   nan 1.e-07]")
    }

    @Test func summarizesLargeTensors() {
        let text = Tensor<Double>.arange(to: 2000).description
        #expect(text == "[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]")
        #expect(Tensor<Double>([1e-5, 1]).description == "[1.e-05 1.e+00]")
        #expect(Tensor<Float>(shape: [2, 2], scalars: [0.1, -0.25, 3, 4]).description == "[[ 0.1  -0.25]\n [ 3.    4.  ]]")
    }
}
