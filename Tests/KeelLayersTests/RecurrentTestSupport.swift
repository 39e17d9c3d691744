import Testing
import KeelLayers

/// Helpers shared by the recurrent tests: random tensors, central differences, relative errors.
enum RecurrentTestSupport {
    static func random<S: TensorScalar>(_ shape: [Int], seed: UInt64, scale: S = 1) -> Tensor<S> {
        var generator = Xoshiro256StarStar(seed: seed)
        return Tensor(randomUniform: shape, lowerBound: -scale, upperBound: scale, using: &generator)
    }

    /// ‖a − b‖ / max(‖a‖, ‖b‖, tiny): one number per tensor, robust to near-zero entries.
    static func relativeError<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Double {
        precondition(a.shape == b.shape, "relativeError: shapes \(a.shape) and \(b.shape)")
        let difference = (a - b).sumOfSquares().squareRoot()
        let scale = max(a.sumOfSquares().squareRoot(), b.sumOfSquares().squareRoot(), 1e-30)
        return difference / scale
    }

    /// Central differences of `f` at `x`, one element at a time.
    static func numericalGradient(at x: Tensor<Double>, epsilon: Double = 1e-6, _ f: (Tensor<Double>) -> Double) -> Tensor<Double> {
        var gradient = [Double](repeating: 0, count: x.scalarCount)
        for index in 0..<x.scalarCount {
            var plus = x, minus = x
            plus.withUnsafeMutableBufferPointer { $0[index] += epsilon }
            minus.withUnsafeMutableBufferPointer { $0[index] -= epsilon }
            gradient[index] = (f(plus) - f(minus)) / (2 * epsilon)
        }
        return Tensor(shape: x.shape, scalars: gradient)
    }

    /// Checks every parameter gradient of `model` in `analytic` against central differences of `loss`.
    static func checkParameterGradients<M: ParameterContainer>(
        _ model: M, analytic: ParameterSet<Double>, tolerance: Double = 1e-6, label: String,
        loss: (M) -> Double, sourceLocation: SourceLocation = #_sourceLocation
    ) where M.Scalar == Double {
        let parameters = model.parameters
        #expect(analytic.keys == parameters.keys, "\(label): gradient keys", sourceLocation: sourceLocation)
        for index in 0..<parameters.count {
            let key = parameters.keys[index]
            let numeric = numericalGradient(at: parameters[index]) { perturbed in
                var copy = model
                var replaced = parameters
                replaced[index] = perturbed
                try! copy.loadParameters(replaced)
                return loss(copy)
            }
            let error = relativeError(analytic[key], numeric)
            #expect(error <= tolerance, "\(label): ∂L/∂\(key) relative error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Σ weights ∘ tensor.
    static func weightedSum<S: TensorScalar>(_ tensor: Tensor<S>, _ weights: Tensor<S>) -> Double {
        Double((tensor * weights).sum())
    }
}
