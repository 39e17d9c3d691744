/// The heap buffer behind a ``Tensor``: 64-byte aligned (one cache line, one AVX-512 vector), so
/// kernels can use aligned loads on the first element.
///
/// A storage is shared between tensor copies and never mutated while shared: `Tensor` copies it
/// before writing unless it is uniquely referenced (copy-on-write), which is what makes the
/// `@unchecked Sendable` sound.
final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Scalar>
    let count: Int

    /// Uninitialized storage for `count` scalars (trivial types need no initialization).
    init(uninitializedCount count: Int) {
        precondition(count >= 0, "Tensor: negative element count \(count)")
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Scalar>.stride
        base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            .bindMemory(to: Scalar.self, capacity: max(count, 1))
    }

    convenience init(repeating value: Scalar, count: Int) {
        self.init(uninitializedCount: count)
        guard count > 0 else { return }
        // `initialize(repeating:)` on the generic Scalar goes through a value witness per element
        // (a quarter of a config-B training step went there). Scalars are trivial: +0 is all
        // zero bits (memset); any other value is written once and doubled by memcpy.
        let stride = MemoryLayout<Scalar>.stride
        let raw = UnsafeMutableRawPointer(base)
        if value == 0 && value.sign == .plus {
            raw.initializeMemory(as: UInt8.self, repeating: 0, count: count * stride)
        } else {
            base.initialize(to: value)
            var filled = 1
            while filled < count {
                let chunk = min(filled, count - filled)
                (raw + filled * stride).copyMemory(from: raw, byteCount: chunk * stride)
                filled += chunk
            }
        }
    }

    func copy() -> TensorStorage<Scalar> {
        let result = TensorStorage(uninitializedCount: count)
        result.base.update(from: base, count: count)
        return result
    }

    deinit {
        UnsafeMutableRawPointer(base).deallocate()
    }
}
