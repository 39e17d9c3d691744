import Testing
import KeelCore

@Suite struct ComparisonAndSelectionTests {
    @Test func comparisonsGiveMasksWithNaNFalse() {
        let x = Tensor<Double>([-1, 0, 2, .nan, 3])
        let y = Tensor<Double>([0, 0, 1, 1, .nan])
        #expect((x .> y).scalars == [0, 0, 1, 0, 0])
        #expect((x .>= y).scalars == [0, 1, 1, 0, 0])
        #expect((x .< y).scalars == [1, 0, 0, 0, 0])
        #expect((x .<= y).scalars == [1, 1, 0, 0, 0])
        #expect((x .== y).scalars == [0, 1, 0, 0, 0])
        #expect((x .!= y).scalars == [1, 0, 1, 1, 1])
        #expect((Tensor<Float>([-0.0, 1]) .== 0).scalars == [1, 0])
    }

    @Test func comparisonsBroadcast() {
        let x = Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect((x .> Tensor<Float>([2, 2, 5])).scalars == [0, 0, 0, 1, 1, 1])
        #expect((x .> 3).shape == [2, 3])
        #expect((x .> 3).scalars == [0, 0, 0, 1, 1, 1])
    }

    @Test func reluDerivativeIsTheSubgradientMaskAndKeepsNaN() {
        let x = Tensor<Float>([-2, -0.0, 0, 1e-30, 5, .nan, .infinity, -.infinity])
        let mask = x.reluDerivative()
        #expect(Array(mask.scalars.prefix(5)) == [0, 0, 0, 1, 1])
        #expect(mask.scalars[5].isNaN)
        #expect(Array(mask.scalars.suffix(2)) == [1, 0])
    }

    @Test func selectPicksWithoutLeakingTheOtherOperand() {
        let condition = Tensor<Double>([1, 0, 1, 0])
        let a = Tensor<Double>([1, .infinity, 3, .nan])
        let b = Tensor<Double>([.nan, 2, -.infinity, 4])
        #expect(Tensor.select(condition, a, b).scalars == [1, 2, 3, 4])
        // Broadcasting: a scalar branch and a row condition.
        let rows = Tensor<Float>(shape: [2, 3], scalars: [1, -2, 3, -4, 5, -6])
        let positive = Tensor.select(rows .> 0, rows, Tensor(0))
        #expect(positive.scalars == rows.relu().scalars)
        let columns = Tensor.select(Tensor<Float>([1, 0, 1]), rows, -rows)
        #expect(columns.shape == [2, 3])
        #expect(columns.scalars == [1, 2, 3, -4, -5, -6])
        // −0 survives an expanded branch.
        let signed = Tensor.select(Tensor<Float>([1, 1]), Tensor<Float>(shape: [1], scalars: [-0.0]), Tensor<Float>([1, 1]))
        #expect(signed.scalars.allSatisfy { $0 == 0 && $0.sign == .minus })
    }

    @Test func broadcastToCopiesAlongNewAxes() {
        let row = Tensor<Double>([1, 2])
        #expect(row.broadcast(to: [3, 2]).scalars == [1, 2, 1, 2, 1, 2])
        #expect(Tensor<Double>(shape: [2, 1], scalars: [5, 6]).broadcast(to: [2, 2]).scalars == [5, 5, 6, 6])
    }

    @Test func addGradientAccumulatesOrAppends() {
        var gradients = ParameterSet<Double>()
        gradients.addGradient(Tensor([1, 2]), for: "w")
        gradients.addGradient(Tensor([10, 20]), for: "w")
        gradients.addGradient(Tensor([3]), for: "b")
        #expect(gradients.keys == ["w", "b"])
        #expect(gradients.tensor(for: "w")?.scalars == [11, 22])
    }
}
