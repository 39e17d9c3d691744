/// A tensor encodes as `{"shape": [...], "scalars": [...]}` with scalars in row-major order.
///
/// Decoding checks that the extents are non-negative and that the scalar count matches the shape,
/// and throws `DecodingError.dataCorrupted` naming both otherwise. (JSON cannot hold NaN or ±∞
/// unless the encoder's `nonConformingFloatEncodingStrategy` says how.)
extension Tensor: Codable {
    private enum CodingKeys: String, CodingKey {
        case shape, scalars
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try container.decode([Int].self, forKey: .shape)
        let scalars = try container.decode([Scalar].self, forKey: .scalars)
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .shape, in: container, debugDescription: "tensor shape \(shape) has a negative extent")
        }
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw DecodingError.dataCorruptedError(
                    forKey: .shape, in: container, debugDescription: "tensor shape \(shape) has too many elements")
            }
            count = product
        }
        guard count == scalars.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .scalars, in: container,
                debugDescription: "tensor shape \(shape) needs \(count) scalars, found \(scalars.count)")
        }
        self.init(shape: shape, scalars: scalars)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(shape, forKey: .shape)
        try container.encode(scalars, forKey: .scalars)
    }
}
