// Elementwise functions. exp, tanh and sigmoid run in vectorized kernels whose maximum error the
// CKeelKernels header documents; the rest are exact or libm-accurate.

extension Tensor {
    /// f(x) for every element, by a vectorized kernel.
    public func applying(_ function: UnaryKernel) -> Tensor {
        let source = storage.base
        return Tensor(shape: shape) { output in
            Kernels.unary(function, count: output.count, source, output.baseAddress!)
        }
    }

    /// Replaces every element x by f(x) in place.
    public mutating func apply(_ function: UnaryKernel) {
        makeUnique()
        Kernels.unary(function, count: scalarCount, storage.base, storage.base)
    }

    /// |x|.
    public func abs() -> Tensor { applying(.abs) }
    /// √x (NaN for x < 0).
    public func squareRoot() -> Tensor { applying(.sqrt) }
    /// eˣ.
    public func exp() -> Tensor { applying(.exp) }
    /// ln x (−∞ at 0, NaN for x < 0).
    public func log() -> Tensor { applying(.log) }
    /// tanh x.
    public func tanh() -> Tensor { applying(.tanh) }
    /// σ(x) = 1 / (1 + e⁻ˣ), computed stably for both signs.
    public func sigmoid() -> Tensor { applying(.sigmoid) }
    /// max(x, 0); NaN stays NaN.
    public func relu() -> Tensor { applying(.relu) }
    /// x².
    public func squared() -> Tensor { applying(.square) }

    /// xᵖ for a scalar exponent.
    public func pow(_ exponent: Scalar) -> Tensor {
        let source = storage.base
        return Tensor(shape: shape) { output in
            Kernels.power(count: output.count, source, exponent: exponent, output.baseAddress!)
        }
    }

    /// min(max(x, lower), upper); NaN stays NaN.
    public func clamped(lower: Scalar, upper: Scalar) -> Tensor {
        precondition(lower <= upper, "clamped(lower:upper:): lower \(lower) exceeds upper \(upper)")
        let source = storage.base
        return Tensor(shape: shape) { output in
            Kernels.clamp(count: output.count, source, lower: lower, upper: upper, output.baseAddress!)
        }
    }

    /// min(max(x, range.lowerBound), range.upperBound); NaN stays NaN.
    public func clamped(to range: ClosedRange<Scalar>) -> Tensor {
        clamped(lower: range.lowerBound, upper: range.upperBound)
    }
}
