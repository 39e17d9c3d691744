/// Raw access for kernels that fill several tensors in one call (the whole-sequence recurrent
/// kernels): package-only, because the pointers outlive no closure that would keep them honest.
/// Callers keep the tensors alive (and unshared) for as long as they use the pointers.
extension Tensor {
    /// A tensor of `shape` whose scalars are not initialized: the caller's kernel writes them all
    /// before anything reads them (no zero-fill pass over large caches).
    package static func uninitialized(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape) { _ in }
    }

    /// The first scalar, for writing; the storage is made unique first.
    package mutating func mutableBaseAddress() -> UnsafeMutablePointer<Scalar> {
        makeUnique()
        return storage.base
    }

    /// The first scalar, for reading.
    package var baseAddress: UnsafePointer<Scalar> { UnsafePointer(storage.base) }
}
