import Testing
import KeelLayers

@Suite struct RecurrentInitializationTests {
    /// max |BᵀB − I| over each gate's [H, H] block of W_hh.
    func orthogonalityError(_ weightHH: Tensor<Double>, gates: Int) -> Double {
        let hidden = weightHH.shape[1]
        return (0..<gates).map { gate in
            let block = weightHH.slice((gate * hidden)..<((gate + 1) * hidden))
            var identity = Tensor<Double>.zeros([hidden, hidden])
            for index in 0..<hidden { identity[scalarAt: index, index] = 1 }
            return Double((block.matmul(block, transposeA: true) - identity).lInfinityNorm())
        }.max()!
    }

    @Test func standardIsGlorotInputOrthogonalRecurrentZeroBias() {
        var generator = Xoshiro256StarStar(seed: 4)
        let lstm = LSTMCell<Double>(inputSize: 24, hiddenSize: 16, initialization: .standard, using: &generator)
        #expect(lstm.weightIH.shape == [64, 24])
        #expect(orthogonalityError(lstm.weightHH, gates: 4) <= 1e-10)
        #expect(lstm.biasIH.l1Norm() == 0 && lstm.biasHH.l1Norm() == 0)
        let bound = (6.0 / Double(24 + 64)).squareRoot()
        #expect(lstm.weightIH.lInfinityNorm() <= bound)

        let gru = GRUCell<Double>(inputSize: 5, hiddenSize: 8, initialization: .standard, using: &generator)
        #expect(orthogonalityError(gru.weightHH, gates: 3) <= 1e-10)
        let rnn = RNNCell<Double>(inputSize: 5, hiddenSize: 8, initialization: .standard, using: &generator)
        #expect(orthogonalityError(rnn.weightHH, gates: 1) <= 1e-10)
    }

    @Test func forgetGateBiasOption() {
        var generator = Xoshiro256StarStar(seed: 5)
        let cell = LSTMCell<Float>(inputSize: 3, hiddenSize: 4, initialization: .standard.withForgetGateBias(1), using: &generator)
        #expect(cell.forgetGateBias.scalars == [1, 1, 1, 1])
        #expect(cell.bias(of: .input).l1Norm() == 0)
    }

    @Test func seededAndPyTorchBound() {
        var first = Xoshiro256StarStar(seed: 9), second = Xoshiro256StarStar(seed: 9)
        let a = GRUCell<Float>(inputSize: 6, hiddenSize: 10, initialization: .pytorch(hiddenSize: 10), using: &first)
        let b = GRUCell<Float>(inputSize: 6, hiddenSize: 10, initialization: .pytorch(hiddenSize: 10), using: &second)
        #expect(a.parameters == b.parameters)
        let bound = Float(1 / 10.0.squareRoot())
        #expect(a.weightIH.lInfinityNorm() <= bound && a.weightHH.lInfinityNorm() <= bound)
    }
}
