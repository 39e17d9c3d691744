import Foundation
import Testing
import KeelLayers

@Suite struct InitializerTests {
    static func sampleMoments(_ tensor: Tensor<Double>) -> (mean: Double, variance: Double) {
        let values = tensor.scalars
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance)
    }

    static func expectVariance(
        _ initializer: some Initializer, shape: [Int] = [512, 512], expected: Double, mean expectedMean: Double = 0,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var generator = Xoshiro256StarStar(seed: 2024)
        let tensor: Tensor<Double> = initializer.makeTensor(shape, generator: &generator)
        #expect(tensor.shape == shape, sourceLocation: sourceLocation)
        let (mean, variance) = sampleMoments(tensor)
        #expect(abs(variance / expected - 1) <= 0.03, "variance \(variance), formula \(expected)", sourceLocation: sourceLocation)
        #expect(abs(mean - expectedMean) <= 0.05 * expected.squareRoot() + 1e-12, "mean \(mean)", sourceLocation: sourceLocation)
    }

    @Test func varianceMatchesTheFormula() {
        Self.expectVariance(Uniform(lower: -1, upper: 3), expected: 16.0 / 12, mean: 1)
        Self.expectVariance(Normal(mean: 0.5, standardDeviation: 2), expected: 4, mean: 0.5)
        // Truncated at ±2σ: σ²(1 − 2·2φ(2)/(2Φ(2) − 1)).
        let phi2 = exp(-2.0) / (2 * Double.pi).squareRoot()
        let mass = erf(2 / 2.0.squareRoot())
        Self.expectVariance(TruncatedNormal(standardDeviation: 2), expected: 4 * (1 - 4 * phi2 / mass))
        Self.expectVariance(GlorotUniform(), expected: 2.0 / 1024)
        Self.expectVariance(GlorotNormal(gain: 2), shape: [256, 512], expected: 4 * 2.0 / 768)
        Self.expectVariance(HeUniform(), shape: [256, 512], expected: 2.0 / 512)
        Self.expectVariance(HeNormal(mode: .fanOut, nonlinearity: .tanh), shape: [256, 512], expected: 25.0 / 9 / 256)
        Self.expectVariance(HeNormal(nonlinearity: .leakyRelu(negativeSlope: 0.2)), expected: 2 / 1.04 / 512)
        Self.expectVariance(LeCunUniform(), shape: [512, 256], expected: 1.0 / 256)
        Self.expectVariance(LeCunNormal(), expected: 1.0 / 512)
        Self.expectVariance(Orthogonal(), expected: 1.0 / 512)
    }

    @Test func truncatedNormalStaysInsideItsBounds() {
        var generator = Xoshiro256StarStar(seed: 1)
        let tensor: Tensor<Double> = TruncatedNormal(mean: 1, standardDeviation: 1, lower: 0.5, upper: 2).makeTensor([10_000], generator: &generator)
        #expect(tensor.min() >= 0.5 && tensor.max() <= 2)
    }

    @Test func gainsAsPyTorch() {
        #expect(calculateGain(.linear) == 1)
        #expect(calculateGain(.sigmoid) == 1)
        #expect(calculateGain(.tanh) == 5.0 / 3)
        #expect(calculateGain(.relu) == 2.0.squareRoot())
        #expect(abs(calculateGain(.leakyRelu()) - (2 / (1 + 0.0001)).squareRoot()) < 1e-15)
        #expect(calculateGain(.selu) == 0.75)
    }

    @Test func fans() {
        #expect(GlorotUniform.fans(of: [3, 4]) == (4, 3))
        #expect(GlorotUniform.fans(of: [3, 4, 5]) == (20, 15))
        #expect(GlorotUniform.fans(of: [7]) == (7, 7))
    }

    static func gramDeviation(_ w: Tensor<Double>, gain: Double) -> Double {
        let rows = w.shape[0]
        let matrix = w.reshaped(to: [rows, -1])
        let gram = rows >= matrix.shape[1] ? matrix.matmul(matrix, transposeA: true) : matrix.matmul(matrix, transposeB: true)
        var generator = SystemRandomNumberGenerator()
        let identity: Tensor<Double> = ScaledIdentity(gain: gain * gain).makeTensor(gram.shape, generator: &generator)
        return (gram - identity).abs().max()
    }

    @Test(arguments: [[64, 64], [80, 30], [30, 80], [6, 3, 4]]) func orthogonal(shape: [Int]) {
        var generator = Xoshiro256StarStar(seed: 9)
        let w: Tensor<Double> = Orthogonal().makeTensor(shape, generator: &generator)
        #expect(Self.gramDeviation(w, gain: 1) <= 1e-5)
        let scaled: Tensor<Double> = Orthogonal(gain: 1.5).makeTensor(shape, generator: &generator)
        #expect(Self.gramDeviation(scaled, gain: 1.5) <= 1e-5)
    }

    @Test func sameSeedSameTensor() {
        let initializers: [any Initializer] = [
            Zeros(), Ones(), Constant(0.3), Uniform(), Normal(), TruncatedNormal(), GlorotUniform(), GlorotNormal(),
            HeUniform(), HeNormal(), LeCunUniform(), LeCunNormal(), Orthogonal(), ScaledIdentity(gain: 0.5),
            Sparse(sparsity: 0.5), ScaledToSpectralRadius(0.9, base: Normal()),
        ]
        for initializer in initializers {
            var first = Xoshiro256StarStar(seed: 77), second = Xoshiro256StarStar(seed: 77)
            let a: Tensor<Float> = initializer.makeTensor([12, 12], generator: &first)
            let b: Tensor<Float> = initializer.makeTensor([12, 12], generator: &second)
            #expect(a == b, "\(type(of: initializer))")
        }
        var first = Xoshiro256StarStar(seed: 1), second = Xoshiro256StarStar(seed: 2)
        let a: Tensor<Float> = GlorotUniform().makeTensor([8, 8], generator: &first)
        let b: Tensor<Float> = GlorotUniform().makeTensor([8, 8], generator: &second)
        #expect(a != b)
    }

    @Test func scaledIdentity() {
        var generator = Xoshiro256StarStar(seed: 0)
        let w: Tensor<Double> = ScaledIdentity(gain: 0.5).makeTensor([2, 3], generator: &generator)
        #expect(w.scalars == [0.5, 0, 0, 0, 0.5, 0])
    }

    @Test func sparseHasAFixedNumberOfZerosPerColumn() {
        var generator = Xoshiro256StarStar(seed: 4)
        let w: Tensor<Double> = Sparse(sparsity: 0.3, standardDeviation: 1).makeTensor([20, 7], generator: &generator)
        for column in 0..<7 {
            let zeros = (0..<20).filter { w[scalarAt: $0, column] == 0 }.count
            #expect(zeros == 6)
        }
    }

    /// A fixed matrix: its eigenvalues are known in closed form.
    struct FixedMatrix: Initializer {
        var values: [Double]
        func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
            Tensor(shape: shape, scalars: values.map { Scalar($0) })
        }
    }

    @Test func spectralRadiusScaling() {
        var generator = Xoshiro256StarStar(seed: 5)
        // Upper triangular (non-normal): eigenvalues are the diagonal, radius 3 (the −3).
        let triangular = FixedMatrix(values: [1, 5, -2, 0, -3, 4, 0, 0, 2])
        let scaled: Tensor<Double> = ScaledToSpectralRadius(0.9, base: triangular).makeTensor([3, 3], generator: &generator)
        #expect(abs(abs(scaled[scalarAt: 1, 1]) - 0.9) <= 0.009)
        // A rotation-scaling block (eigenvalues 1 ± 2i, |λ| = √5) beside a real eigenvalue 2.
        let complexPair = FixedMatrix(values: [1, -2, 0.5, 2, 1, 0.3, 0, 0, 2])
        let rotated: Tensor<Double> = ScaledToSpectralRadius(1.2, base: complexPair).makeTensor([3, 3], generator: &generator)
        let factor = rotated[scalarAt: 0, 0]
        #expect(abs(factor * 5.0.squareRoot() - 1.2) <= 0.012)
        // A random Gaussian matrix: the estimate of the result is ρ.
        let random: Tensor<Double> = ScaledToSpectralRadius(0.95, base: Normal()).makeTensor([64, 64], generator: &generator)
        #expect(abs(ScaledToSpectralRadius<Normal>.estimateSpectralRadius(random) - 0.95) <= 0.0095)
    }
}
