import Testing
import KeelCore

/// Shape errors are programmer errors: the process stops, with a message naming the operation and
/// both shapes (checked in debug builds, where precondition messages are printed).
@Suite struct PreconditionTests {
    @Test func incompatibleBroadcastStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>.zeros([2, 3]) + Tensor<Float>.zeros([4])
        }
    }

    @Test func matmulInnerDimensionMismatchStops() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor<Float>.zeros([2, 3]).matmul(Tensor<Float>.zeros([4, 5]))
        }
    }

    @Test func messageNamesOperationAndShapes() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>.zeros([2, 3]).matmul(Tensor<Float>.zeros([4, 5]))
        }
        #if DEBUG
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("matmul: inner dimensions differ, shapes [2, 3] and [4, 5]"))
        #else
        _ = result
        #endif
    }

    @Test func scalarCountMismatchStops() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3])
        }
    }
}
