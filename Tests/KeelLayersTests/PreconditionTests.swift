import Testing
import KeelLayers

/// Bad use stops with a message naming the shapes (exit tests are slow: only a few).
@Suite struct PreconditionTests {
    @Test func denseRejectsAWrongInputWidth() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let dense = Dense<Float>(weight: .zeros([2, 3]))
            _ = dense(.zeros([4, 5]))
        }
        #if DEBUG
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Dense: input shape [4, 5] does not end in the layer's inputSize 3"))
        #endif
    }

    @Test func embeddingRejectsAnOutOfRangeIndex() async {
        await #expect(processExitsWith: .failure) {
            let embedding = Embedding<Float>(weight: .zeros([3, 2]))
            _ = embedding(Tensor([0, 3]))
        }
    }
}
