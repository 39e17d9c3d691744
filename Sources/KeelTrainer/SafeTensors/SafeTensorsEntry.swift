/// One tensor's header entry in a safetensors file.
public struct SafeTensorsEntry: Hashable, Sendable {
    /// `"F32"` or `"F64"`.
    public var dtype: String
    /// The tensor's shape.
    public var shape: [Int]
    /// The byte range in the data section (after the header).
    public var dataOffsets: Range<Int>
}
