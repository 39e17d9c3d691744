/// A named set of gradients, with the parameters they belong to (clippers such as AGC read the
/// weights), used as input to the gradient-transform and clipper laws.
public struct GradientSample<Scalar: TensorScalar>: Sendable {
    /// What the sample is, e.g. `huge (1e30)`.
    public var name: String
    /// The parameters the gradients belong to (same keys and shapes).
    public var parameters: ParameterSet<Scalar>
    /// The gradients.
    public var gradients: ParameterSet<Scalar>

    /// A sample called `name` of `gradients` for `parameters`.
    ///
    /// - Precondition: `parameters` and `gradients` have the same keys and shapes.
    public init(name: String, parameters: ParameterSet<Scalar>, gradients: ParameterSet<Scalar>) {
        precondition(
            parameters.hasSameStructure(as: gradients),
            "GradientSample \(name): gradients and parameters differ in keys or shapes")
        self.name = name
        self.parameters = parameters
        self.gradients = gradients
    }

    /// The sample restricted to the parameters whose keys `isIncluded` accepts (for shrinking).
    func filter(_ isIncluded: (ParameterKey) -> Bool) -> GradientSample {
        GradientSample(name: name, parameters: parameters.filter(isIncluded), gradients: gradients.filter(isIncluded))
    }

    /// The same sample with gradients multiplied by `factor` (in `Double`, rounded once).
    func scaled(by factor: Double, name: String? = nil) -> GradientSample {
        GradientSample(
            name: name ?? self.name, parameters: parameters,
            gradients: gradients.map { tensor in tensor.mapScalars { Scalar(Double($0) * factor) } })
    }

    /// Keys, shapes and, for small samples, the values: what a failure report shows.
    var summary: String {
        let parts = zip(gradients.keys, gradients.tensors).map { key, tensor in
            tensor.scalarCount <= 12
                ? "\(key) \(tensor.shape) = \(tensor.scalars.map { Double($0) })"
                : "\(key) \(tensor.shape), ‖·‖₂ = \(tensor.sumOfSquares().squareRoot())"
        }
        return "\(name): " + parts.joined(separator: "; ")
    }
}

/// Standard gradient samples: deterministic (a `Xoshiro256StarStar` seeded by the caller) and
/// adversarial (tiny, huge, mixed scale, one-hot, zero), over the archetype parameter set unless
/// you give your own.
public enum GradientSamples {
    /// The archetype parameter set: a two-layer perceptron's tensors
    /// (`hidden.weight` [4, 3], `hidden.bias` [4], `output.weight` [2, 4], `output.bias` [2]) drawn
    /// from N(0, 1).
    public static func parameters<Scalar: TensorScalar>(seed: UInt64 = 1, as type: Scalar.Type = Scalar.self) -> ParameterSet<Scalar> {
        var generator = Xoshiro256StarStar(seed: seed)
        let shapes: [(ParameterKey, [Int])] = [
            ("hidden.weight", [4, 3]), ("hidden.bias", [4]), ("output.weight", [2, 4]), ("output.bias", [2]),
        ]
        return ParameterSet(shapes.map { key, shape in (key, Tensor<Scalar>(randomNormal: shape, using: &generator)) })
    }

    /// Gradients shaped like `parameters`, drawn from N(0, 1) and scaled to global L2 norm `norm`.
    public static func random<Scalar: TensorScalar>(
        like parameters: ParameterSet<Scalar>, seed: UInt64, norm: Double = 1
    ) -> GradientSample<Scalar> {
        var generator = Xoshiro256StarStar(seed: seed)
        let gradients: ParameterSet<Scalar> = parameters.map { Tensor<Scalar>(randomNormal: $0.shape, using: &generator) }
        let sample = GradientSample(name: "random (seed \(seed))", parameters: parameters, gradients: gradients)
        let current = gradients.globalNorm(.l2)
        return current > 0 ? sample.scaled(by: norm / current, name: "random (seed \(seed), ‖g‖₂ = \(norm))") : sample
    }

    /// The adversarial samples every transform must survive with finite inputs:
    /// - `tiny`: random, every element about 1e-30 (1e-30 underflows nothing in `Float`);
    /// - `huge`: random, every element about 1e30;
    /// - `mixed scale`: the first tensor about 1e-20, the others about 1e20;
    /// - `one-hot`: one element 1e3, all others 0;
    /// - `zero`: all zeros;
    /// - `moderate`: random with ‖g‖₂ = 10.
    public static func adversarial<Scalar: TensorScalar>(
        like parameters: ParameterSet<Scalar>, seed: UInt64 = 7
    ) -> [GradientSample<Scalar>] {
        let base = random(like: parameters, seed: seed, norm: 1)
        var oneHot = parameters.zerosLike()
        if let last = oneHot.indices.last, oneHot.tensors[last].scalarCount > 0 {
            oneHot.withTensor(at: last) { tensor in tensor.withUnsafeMutableBufferPointer { $0[$0.count / 2] = 1000 } }
        }
        var mixed = base.gradients
        for index in mixed.indices {
            let factor = index == 0 ? 1e-20 : 1e20
            mixed.withTensor(at: index) { tensor in tensor = tensor.mapScalars { Scalar(Double($0) * factor) } }
        }
        return [
            base.scaled(by: 1e-30 * Double(parameters.scalarCount).squareRoot(), name: "tiny (1e-30)"),
            base.scaled(by: 1e30 * Double(parameters.scalarCount).squareRoot(), name: "huge (1e30)"),
            GradientSample(name: "mixed scale (1e-20 and 1e20)", parameters: parameters, gradients: mixed),
            GradientSample(name: "one-hot (1e3)", parameters: parameters, gradients: oneHot),
            GradientSample(name: "zero", parameters: parameters, gradients: parameters.zerosLike()),
            base.scaled(by: 10, name: "moderate (‖g‖₂ = 10)"),
        ]
    }

    /// `adversarial(like:seed:)` over the archetype `parameters(seed:as:)`.
    public static func adversarial<Scalar: TensorScalar>(seed: UInt64 = 7, as type: Scalar.Type = Scalar.self) -> [GradientSample<Scalar>] {
        adversarial(like: parameters(seed: seed, as: type), seed: seed)
    }
}

extension Tensor {
    /// A tensor of the same shape with `transform` applied to every scalar (test-kit code, not a
    /// hot path).
    func mapScalars(_ transform: (Scalar) -> Scalar) -> Tensor {
        Tensor(shape: shape, scalars: scalars.map(transform))
    }
}
