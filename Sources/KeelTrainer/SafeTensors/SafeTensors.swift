/// Writes the safetensors format (see ``SafeTensorsFile`` for the layout and the reader).
public enum SafeTensors {
    /// The safetensors dtype of `Scalar`: `"F32"` for `Float`, `"F64"` otherwise (`Double`).
    public static func dtype<Scalar: TensorScalar>(of type: Scalar.Type) -> String {
        Scalar.self == Float.self ? "F32" : "F64"
    }

    static func byteWidth(of dtype: String) -> Int? {
        switch dtype {
        case "F32": 4
        case "F64": 8
        default: nil
        }
    }

    /// The bytes of a safetensors file holding `tensors` (named by their keys, sorted) and
    /// `metadata`.
    public static func encode<Scalar: TensorScalar>(_ tensors: ParameterSet<Scalar>, metadata: [String: String] = [:]) -> [UInt8] {
        let dtype = dtype(of: Scalar.self)
        let width = byteWidth(of: dtype)!
        let order = tensors.keys.indices.sorted { tensors.keys[$0].rawValue < tensors.keys[$1].rawValue }
        var entries: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        for index in order {
            let tensor = tensors.tensors[index]
            let end = offset + tensor.scalarCount * width
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(tensors.keys[index].rawValue)):{\"dtype\":\"\(dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        let length = UInt64(header.count)
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(i)))) }
        bytes += header
        for index in order {
            for scalar in tensors.tensors[index].scalars {
                if let value = scalar as? Float {
                    let bits = value.bitPattern
                    for b in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(b)))) }
                } else {
                    let bits = Double(scalar).bitPattern
                    for b in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(b)))) }
                }
            }
        }
        return bytes
    }

    /// A JSON string literal for `string`.
    static func jsonString(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
