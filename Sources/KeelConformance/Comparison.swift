/// Where two parameter sets first differ bit for bit, or nil when they are identical (NaN equals
/// NaN, and +0 equals −0).
func firstDifference<Scalar: TensorScalar>(_ lhs: ParameterSet<Scalar>, _ rhs: ParameterSet<Scalar>) -> String? {
    guard lhs.keys == rhs.keys else { return "keys \(lhs.keys.map(\.rawValue)) versus \(rhs.keys.map(\.rawValue))" }
    for index in lhs.indices {
        let a = lhs.tensors[index], b = rhs.tensors[index]
        guard a.shape == b.shape else { return "\(lhs.keys[index]): shapes \(a.shape) versus \(b.shape)" }
        let x = a.scalars, y = b.scalars
        for element in x.indices where !(x[element] == y[element] || (x[element].isNaN && y[element].isNaN)) {
            return "\(lhs.keys[index])[\(element)]: \(Double(x[element])) versus \(Double(y[element]))"
        }
    }
    return nil
}

/// Where two parameter sets first differ by more than |a − b| ≤ absolute + relative·max(|a|, |b|).
func firstApproximateDifference<Scalar: TensorScalar>(
    _ lhs: ParameterSet<Scalar>, _ rhs: ParameterSet<Scalar>, relative: Double, absolute: Double = 0
) -> String? {
    guard lhs.keys == rhs.keys else { return "keys \(lhs.keys.map(\.rawValue)) versus \(rhs.keys.map(\.rawValue))" }
    for index in lhs.indices {
        let a = lhs.tensors[index], b = rhs.tensors[index]
        guard a.shape == b.shape else { return "\(lhs.keys[index]): shapes \(a.shape) versus \(b.shape)" }
        let x = a.scalars, y = b.scalars
        for element in x.indices {
            let p = Double(x[element]), q = Double(y[element])
            if p == q || (p.isNaN && q.isNaN) { continue }
            if !(Swift.abs(p - q) <= absolute + relative * Swift.max(Swift.abs(p), Swift.abs(q))) {
                return "\(lhs.keys[index])[\(element)]: \(p) versus \(q)"
            }
        }
    }
    return nil
}

/// The relative rounding slack a bound may exceed by: a few units in the last place of `Scalar`.
func roundingSlack<Scalar: TensorScalar>(_ type: Scalar.Type) -> Double {
    16 * Double(Scalar.ulpOfOne)
}

/// A readable name for a component's type.
func componentName<T>(_ value: T) -> String {
    String(describing: type(of: value))
}
