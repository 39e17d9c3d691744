import Foundation

/// The most recently used epoch's permutation, so that asking for every batch of an epoch costs
/// one shuffle, not one per batch. Shared by copies of an ``EpochOrder``; thread-safe.
final class PermutationCache: @unchecked Sendable {
    private let lock = NSLock()
    private var epoch: Int?
    private var order: [Int] = []

    func permutation(epoch: Int, make: () -> [Int]) -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        if self.epoch != epoch {
            order = make()
            self.epoch = epoch
        }
        return order
    }
}
