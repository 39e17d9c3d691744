extension ParameterSet {
    /// Runs `body` on the entries whose keys lie under `prefix`, presented as a set with the
    /// prefix removed (`encoder.weight` appears as `weight`), then puts them back.
    ///
    /// This is how composites pass gradients to children: a child accumulates into its own keys,
    /// and the tensors move in and out without copying their storage. Entries the body appends
    /// are added under the prefix; the body may not remove or reshape entries.
    public mutating func withScope<R>(_ prefix: ParameterKey, _ body: (inout ParameterSet) throws -> R) rethrows -> R {
        var scoped = ParameterSet()
        var positions: [Int] = []
        let dropCount = prefix.rawValue.count + 1
        for index in keys.indices where keys[index].hasPrefix(prefix) && keys[index] != prefix {
            positions.append(index)
            let relative = ParameterKey(String(keys[index].rawValue.dropFirst(dropCount)))
            scoped.append(tensors[index], for: relative)
            tensors[index] = ParameterSet.placeholder  // drop our reference so the child owns the storage
        }
        defer {
            for (offset, index) in positions.enumerated() { tensors[index] = scoped.tensors[offset] }
            for offset in positions.count..<scoped.count {
                append(scoped.tensors[offset], for: prefix.appending(scoped.keys[offset]))
            }
        }
        return try body(&scoped)
    }

    private static var placeholder: Tensor<Scalar> { Tensor(shape: [0], scalars: []) }
}
