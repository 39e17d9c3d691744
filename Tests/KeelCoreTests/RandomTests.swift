import Foundation
import Testing
import KeelCore

/// Checks against Reference/random_reference.py, an independent Python implementation.
@Suite struct RandomTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            let seed: String
            let state: [String]
            let next: [String]
            let unitDouble: [Double]
            let unitFloat: [Float]
            let normal: [Double]
            let uniformFloatTensor: [Float]
            let uniformDoubleTensor: [Double]
            let normalDoubleTensor: [Double]
        }
        struct Log: Decodable {
            let x: Double
            let log: Double
        }
        let generator: [Case]
        let log: [Log]
    }

    static let reference: Reference = try! JSONDecoder().decode(Reference.self, from: referenceFixture("random_reference.json"))

    @Test func generatorMatchesReferenceImplementation() {
        for item in Self.reference.generator {
            let seed = UInt64(item.seed)!
            var generator = Xoshiro256StarStar(seed: seed)
            #expect(generator.state == item.state.map { UInt64($0)! })
            #expect((0..<8).map { _ in generator.next() } == item.next.map { UInt64($0)! })
            generator = Xoshiro256StarStar(seed: seed)
            #expect((0..<8).map { _ in generator.nextUnitDouble() } == item.unitDouble)
            generator = Xoshiro256StarStar(seed: seed)
            #expect((0..<8).map { _ in generator.nextUnitFloat() } == item.unitFloat)
            generator = Xoshiro256StarStar(seed: seed)
            var normals: [Double] = []
            for _ in 0..<4 {
                let (a, b) = generator.nextStandardNormalPair()
                normals += [a, b]
            }
            // Python uses libm's log, Keel its own; they agree to about an ulp.
            for (value, expected) in zip(normals, item.normal) {
                #expect(Swift.abs(value - expected) <= 4 * expected.ulp)
            }
            generator = Xoshiro256StarStar(seed: seed)
            #expect(Tensor<Float>(randomUniform: [7], lowerBound: -2, upperBound: 3, using: &generator).scalars == item.uniformFloatTensor)
            generator = Xoshiro256StarStar(seed: seed)
            #expect(Tensor<Double>(randomUniform: [7], lowerBound: -2, upperBound: 3, using: &generator).scalars == item.uniformDoubleTensor)
            generator = Xoshiro256StarStar(seed: seed)
            let normalTensor = Tensor<Double>(randomNormal: [5], mean: 1, standardDeviation: 0.5, using: &generator)
            #expect(normalTensor.isApproximatelyEqual(to: Tensor(item.normalDoubleTensor), relativeTolerance: 1e-15))
        }
    }

    @Test func portableLogMatchesLibm() {
        for item in Self.reference.log {
            #expect(Swift.abs(portableLog(item.x) - item.log) <= 2 * Swift.max(item.log.ulp, Double.ulpOfOne))
        }
    }

    @Test func sameSeedSameTensorAcrossRuns() {
        var first = Xoshiro256StarStar(seed: 2026)
        var second = Xoshiro256StarStar(seed: 2026)
        let a = Tensor<Float>(randomNormal: [64, 33], using: &first)
        let b = Tensor<Float>(randomNormal: [64, 33], using: &second)
        #expect(a == b)
        var third = Xoshiro256StarStar(seed: 2027)
        #expect(Tensor<Float>(randomNormal: [64, 33], using: &third) != a)
    }

    @Test func normalSamplesHaveTheRequestedMoments() {
        var generator = Xoshiro256StarStar(seed: 5)
        let x = Tensor<Double>(randomNormal: [200_000], mean: 2, standardDeviation: 3, using: &generator)
        let mean = x.mean()
        let variance = (x - mean).squared().mean()
        #expect(Swift.abs(mean - 2) < 0.03)
        #expect(Swift.abs(variance - 9) / 9 < 0.02)
        let u = Tensor<Float>(randomUniform: [200_000], lowerBound: -1, upperBound: 1, using: &generator)
        #expect(u.min() >= -1 && u.max() < 1)
        #expect(Swift.abs(u.mean()) < 0.01)
    }

    @Test func stateRoundTripsThroughCodableAndContinuesIdentically() throws {
        var generator = Xoshiro256StarStar(seed: 17)
        _ = generator.next()
        var restored = try JSONDecoder().decode(Xoshiro256StarStar.self, from: JSONEncoder().encode(generator))
        #expect((0..<16).map { _ in generator.next() } == (0..<16).map { _ in restored.next() })
    }

    @Test func invalidStatesAreRejected() {
        #expect(throws: RandomGeneratorError.self) { try Xoshiro256StarStar(state: [0, 0, 0, 0]) }
        #expect(throws: RandomGeneratorError.self) { try Xoshiro256StarStar(state: [1, 2, 3]) }
        let json = Data(#"{"state":[0,0,0,0]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Xoshiro256StarStar.self, from: json) }
    }

    @Test func jumpMakesADifferentStream() {
        var a = Xoshiro256StarStar(seed: 1)
        var b = a
        b.jump()
        #expect(a.next() != b.next())
    }
}
