import Synchronization

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
        base = (TensorBufferCache.take(byteCount: bytes) ?? UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64))
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
        let raw = UnsafeMutableRawPointer(base)
        if !TensorBufferCache.give(raw, byteCount: max(count, 1) * MemoryLayout<Scalar>.stride) { raw.deallocate() }
    }
}

/// Freed large tensor buffers kept for reuse by the next allocation of the same byte count.
///
/// A training step allocates the same shapes every step; above glibc's mmap threshold each of
/// those is a fresh mapping whose pages fault in again (3–5% of a config-B step in `perf`). The
/// cache holds at most ``capacityBytes`` in all and ``maximumPerSize`` buffers of one size, so the
/// peak memory grows by at most that much; smaller buffers are left to malloc. 256 MB holds a
/// 2×512 char-LM step's buffers (config C): against 64 MB it cut that step's max RSS from ≈ 385
/// to ≈ 360 MB (fewer fresh mappings) and its time by 2–3%.
enum TensorBufferCache {
    static let minimumBytes = 64 * 1024
    static let capacityBytes = 256 * 1024 * 1024
    static let maximumPerSize = 8

    struct Pool: ~Copyable {
        var buffers: [Int: [UInt]] = [:]  // addresses (Sendable) by byte count
        var bytes = 0
    }

    static let pool = Mutex(Pool())

    static func take(byteCount: Int) -> UnsafeMutableRawPointer? {
        guard byteCount >= minimumBytes else { return nil }
        let address = pool.withLock { pool -> UInt? in
            guard let address = pool.buffers[byteCount]?.popLast() else { return nil }
            pool.bytes -= byteCount
            return address
        }
        return address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// Keeps `buffer` (allocated with 64-byte alignment) when it fits; false: the caller frees it.
    static func give(_ buffer: UnsafeMutableRawPointer, byteCount: Int) -> Bool {
        guard byteCount >= minimumBytes, byteCount <= capacityBytes else { return false }
        let address = UInt(bitPattern: buffer)
        return pool.withLock { pool -> Bool in
            guard pool.bytes + byteCount <= capacityBytes, (pool.buffers[byteCount]?.count ?? 0) < maximumPerSize else { return false }
            pool.buffers[byteCount, default: []].append(address)
            pool.bytes += byteCount
            return true
        }
    }
}
