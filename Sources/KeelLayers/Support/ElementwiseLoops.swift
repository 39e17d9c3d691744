import Foundation

// Elementwise functions that CKeelKernels does not provide (erf, steps, leaky slopes). Each loop
// runs in concrete `Float` or `Double` code over the raw buffer, never per element through the
// generic `TensorScalar` witness table.

extension Tensor {
    /// `body` applied to every scalar, in concrete `Float` or `Double` code.
    func mapScalars(float: (Float) -> Float, double: (Double) -> Double) -> Tensor {
        var result = self
        result.withUnsafeMutableBufferPointer { buffer in
            if Scalar.self == Float.self {
                buffer.withMemoryRebound(to: Float.self) { values in
                    for index in values.indices { values[index] = float(values[index]) }
                }
            } else if Scalar.self == Double.self {
                buffer.withMemoryRebound(to: Double.self) { values in
                    for index in values.indices { values[index] = double(values[index]) }
                }
            } else {
                preconditionFailure("KeelLayers supports Float and Double tensors, not \(Scalar.self)")
            }
        }
        return result
    }

    /// `body(self[i], other[i])` for every i, in concrete `Float` or `Double` code.
    func zipScalars(
        _ other: Tensor, operation: String, float: (Float, Float) -> Float, double: (Double, Double) -> Double
    ) -> Tensor {
        precondition(shape == other.shape, "\(operation): shapes \(shape) and \(other.shape) differ")
        var result = self
        result.withUnsafeMutableBufferPointer { buffer in
            other.withUnsafeBufferPointer { second in
                if Scalar.self == Float.self {
                    buffer.withMemoryRebound(to: Float.self) { values in
                        second.withMemoryRebound(to: Float.self) { operands in
                            for index in values.indices { values[index] = float(values[index], operands[index]) }
                        }
                    }
                } else if Scalar.self == Double.self {
                    buffer.withMemoryRebound(to: Double.self) { values in
                        second.withMemoryRebound(to: Double.self) { operands in
                            for index in values.indices { values[index] = double(values[index], operands[index]) }
                        }
                    }
                } else {
                    preconditionFailure("KeelLayers supports Float and Double tensors, not \(Scalar.self)")
                }
            }
        }
        return result
    }
}
