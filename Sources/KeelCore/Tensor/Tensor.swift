/// An n-dimensional, row-major array of `Float` or `Double` with value semantics.
///
/// Copies share storage until one of them is written to (copy-on-write), so passing tensors
/// around is cheap and a copy never changes when the original does.
///
/// **Shapes.** `shape` lists the extent of each axis, outermost first; a rank-0 tensor (shape
/// `[]`) holds one scalar. Recurrent layers use `[time, batch, features]`; dense layers
/// `[batch, features]`.
///
/// **Errors.** Operations on tensors of incompatible shapes are programmer errors: they stop with
/// a precondition failure whose message names the operation and both shapes.
///
/// ```swift
/// let x = Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let bias = Tensor<Float>([0.5, 0.5, 0.5])
/// let y = (x + bias).tanh()           // bias broadcast over the rows
/// let z = x.matmul(x, transposeB: true) // [2, 2]
/// ```
public struct Tensor<Scalar: TensorScalar>: Sendable {
    /// The extent of each axis, outermost first.
    public private(set) var shape: [Int]
    var storage: TensorStorage<Scalar>

    init(shape: [Int], storage: TensorStorage<Scalar>) {
        self.shape = shape
        self.storage = storage
    }

    /// A tensor of the given shape whose scalars are written by `body`, which receives an
    /// uninitialized buffer of `shape.product` elements and must write every one of them.
    public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Scalar>) throws -> Void) rethrows {
        let count = Tensor.elementCount(of: shape, operation: "Tensor(shape:initializingWith:)")
        let storage = TensorStorage<Scalar>(uninitializedCount: count)
        try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
        self.init(shape: shape, storage: storage)
    }

    /// A tensor of the given shape holding `scalars` in row-major order.
    ///
    /// - Precondition: `scalars.count` equals the product of `shape`.
    public init(shape: [Int], scalars: [Scalar]) {
        let count = Tensor.elementCount(of: shape, operation: "Tensor(shape:scalars:)")
        precondition(
            count == scalars.count,
            "Tensor(shape:scalars:): shape \(shape) needs \(count) scalars, got \(scalars.count)")
        let storage = TensorStorage<Scalar>(uninitializedCount: count)
        scalars.withUnsafeBufferPointer { source in
            if count > 0 { storage.base.initialize(from: source.baseAddress!, count: count) }
        }
        self.init(shape: shape, storage: storage)
    }

    /// A rank-1 tensor holding `scalars`.
    public init(_ scalars: [Scalar]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A rank-0 tensor holding one scalar.
    public init(_ scalar: Scalar) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A tensor of the given shape with every element equal to `value`.
    public init(shape: [Int], repeating value: Scalar) {
        let count = Tensor.elementCount(of: shape, operation: "Tensor(shape:repeating:)")
        self.init(shape: shape, storage: TensorStorage(repeating: value, count: count))
    }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// The number of scalars (the product of `shape`).
    public var scalarCount: Int { storage.count }

    /// The scalars in row-major order.
    public var scalars: [Scalar] {
        Array(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// The only scalar of a one-element tensor.
    public var scalar: Scalar {
        precondition(scalarCount == 1, "Tensor.scalar: tensor of shape \(shape) has \(scalarCount) elements, not 1")
        return storage.base[0]
    }

    /// The scalar at a full index (one index per axis). Reading is O(rank).
    public subscript(scalarAt indices: Int...) -> Scalar {
        get { storage.base[offset(of: indices)] }
        set {
            let position = offset(of: indices)
            makeUnique()
            storage.base[position] = newValue
        }
    }

    /// Calls `body` with the scalars in row-major order.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// Calls `body` with the scalars in row-major order, for writing. Copies the storage first if
    /// another tensor shares it.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// Whether this tensor and `other` share storage (copy-on-write has not split them yet).
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    func offset(of indices: [Int]) -> Int {
        precondition(
            indices.count == shape.count,
            "Tensor subscript: \(indices.count) indices for a tensor of shape \(shape)")
        var position = 0
        for (axis, index) in indices.enumerated() {
            precondition(
                index >= 0 && index < shape[axis],
                "Tensor subscript: index \(indices) is out of bounds for shape \(shape)")
            position = position * shape[axis] + index
        }
        return position
    }

    static func elementCount(of shape: [Int], operation: String) -> Int {
        var count = 1
        for extent in shape {
            precondition(extent >= 0, "\(operation): shape \(shape) has a negative extent")
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            precondition(!overflow, "\(operation): shape \(shape) has too many elements")
            count = product
        }
        return count
    }
}

extension Tensor: Equatable {
    /// Shapes equal and every scalar equal (so a tensor containing NaN is not equal to itself).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        for index in 0..<lhs.scalarCount where lhs.storage.base[index] != rhs.storage.base[index] {
            return false
        }
        return true
    }
}

extension Tensor {
    /// Whether the shapes are equal and every pair of scalars satisfies
    /// |a − b| ≤ absoluteTolerance + relativeTolerance·|b| (NumPy's `allclose` rule, so it is not
    /// symmetric in `self` and `other`). NaN matches NaN at the same position.
    public func isApproximatelyEqual(
        to other: Tensor, relativeTolerance: Scalar = 1e-5, absoluteTolerance: Scalar = 1e-8
    ) -> Bool {
        guard shape == other.shape else { return false }
        for index in 0..<scalarCount {
            let a = storage.base[index], b = other.storage.base[index]
            if a.isNaN || b.isNaN {
                if a.isNaN != b.isNaN { return false }
                continue
            }
            if a == b { continue }
            if !((a - b).magnitude <= absoluteTolerance + relativeTolerance * b.magnitude) { return false }
        }
        return true
    }
}
