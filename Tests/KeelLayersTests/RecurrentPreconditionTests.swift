import Testing
import KeelLayers

/// Bad use stops with a precondition failure (messages name the shapes; see the sources).
@Suite struct RecurrentPreconditionTests {
    @Test func wrongInputWidth() async {
        await #expect(processExitsWith: .failure) {
            var layer = Recurrent(cell: LSTMCell<Float>(inputSize: 3, hiddenSize: 4, seed: 1))
            var context = ForwardContext(mode: .inference)
            _ = layer.forward(Tensor<Float>.zeros([5, 2, 7]), context: &context)
        }
    }

    @Test func wrongStateShape() async {
        await #expect(processExitsWith: .failure) {
            let layer = Recurrent(cell: GRUCell<Float>(inputSize: 3, hiddenSize: 4, seed: 1))
            var context = ForwardContext(mode: .inference)
            _ = layer.forward(Tensor<Float>.zeros([5, 2, 3]), initialState: .zeros([2, 5]), context: &context)
        }
        await #expect(processExitsWith: .failure) {
            let cell = LSTMCell<Float>(inputSize: 3, hiddenSize: 4, seed: 1)
            _ = cell.step(.zeros([2, 3]), state: LSTMState(hidden: .zeros([3, 4]), cell: .zeros([3, 4])))
        }
    }

    @Test func emptySequence() async {
        await #expect(processExitsWith: .failure) {
            var layer = Recurrent(cell: RNNCell<Float>(inputSize: 3, hiddenSize: 4, seed: 1))
            var context = ForwardContext(mode: .inference)
            _ = layer.forward(Tensor<Float>.zeros([0, 2, 3]), context: &context)
        }
    }

    @Test func mismatchedWeights() async {
        await #expect(processExitsWith: .failure) {
            _ = LSTMCell<Float>(weightIH: .zeros([12, 3]), weightHH: .zeros([16, 4]), biasIH: .zeros([16]), biasHH: .zeros([16]))
        }
    }

    @Test func validUseDoesNotTrap() {
        var layer = Recurrent(cell: RNNCell<Float>(inputSize: 3, hiddenSize: 4, seed: 1), returnsSequences: false, batchFirst: true)
        var context = ForwardContext(mode: .inference)
        #expect(layer.forward(Tensor<Float>.zeros([2, 5, 3]), context: &context).output.shape == [2, 4])
    }
}
