import Foundation
import Testing
import KeelCore

/// exp, tanh and sigmoid kernels on every supported path against libm in Double.
extension KernelPathTests {
    @Suite struct ActivationTests {
        /// A sweep of [-20, 20], edge values, and random bit patterns.
        static let floatInputs: [Float] = {
            var values: [Float] = [
                0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, -.leastNormalMagnitude,
                1e-30, -1e-30, 1e-8, -1e-8, 1e-4, -1e-4, 0.5, -0.5, 1, -1, 9, -9, 9.1, -9.1, 15, -15, 20, -20,
                80, -80, 87.3, -87.3, 88.7, -88.7, 89, -89, 103.9, -103.9, 104, -104, 200, -200,
                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan,
            ]
            for index in 0...40_000 { values.append(-20 + Float(index) * 0.001) }
            var generator = Xoshiro256StarStar(seed: 99)
            for _ in 0..<20_000 {
                let value = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
                values.append(value)
            }
            return values
        }()

        static let doubleInputs: [Double] = {
            var values: [Double] = [
                0, -0.0, .leastNonzeroMagnitude, .leastNormalMagnitude, -.leastNormalMagnitude, 1e-300, -1e-300,
                1e-8, -1e-8, 0.5, -0.5, 1, -1, 19, -19, 19.1, -19.1, 30, -30, 700, -700, 709.7, -709.7, 710, -745.2, -746,
                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan,
            ]
            for index in 0...40_000 { values.append(-20 + Double(index) * 0.001) }
            var generator = Xoshiro256StarStar(seed: 98)
            for _ in 0..<20_000 { values.append(Double(bitPattern: generator.next())) }
            return values
        }()

        static func sigmoid(_ x: Double) -> Double { x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x)) }

        /// Checks |y − f(x)| against max(absolute, relative·|f(x)|), treating values that the kernel
        /// may flush (subnormal input or result) as allowed to be zero.
        func checkFloat(_ function: UnaryKernel, reference: (Double) -> Double, absolute: Double, relativeULPs: Double, path: Kernels.Path) {
            let x = Tensor<Float>(Self.floatInputs)
            let y = x.applying(function).scalars
            for (input, output) in zip(Self.floatInputs, y) {
                let exact = reference(Double(input))
                if exact.isNaN {
                    #expect(output.isNaN, "\(function) \(path): f(\(input)) = \(output), expected NaN")
                    continue
                }
                let rounded = Float(exact)
                let flushable = Swift.abs(input) < Float.leastNormalMagnitude || Swift.abs(rounded) < Float.leastNormalMagnitude
                if flushable && (output == 0 || output == rounded) { continue }
                if rounded.isInfinite || output.isInfinite {
                    #expect(output == rounded, "\(function) \(path): f(\(input)) = \(output), expected \(rounded)")
                    continue
                }
                let error = Swift.abs(Double(output) - exact)
                let allowed = Swift.max(absolute, relativeULPs * Double(rounded.ulp))
                #expect(error <= allowed, "\(function) \(path): f(\(input)) = \(output), expected \(exact) (error \(error), allowed \(allowed))")
                if error > allowed { return }
            }
        }

        func checkDouble(_ function: UnaryKernel, reference: (Double) -> Double, absolute: Double, relativeULPs: Double, path: Kernels.Path) {
            let x = Tensor<Double>(Self.doubleInputs)
            let y = x.applying(function).scalars
            for (input, output) in zip(Self.doubleInputs, y) {
                let exact = reference(input)
                if exact.isNaN {
                    #expect(output.isNaN, "\(function) \(path): f(\(input)) = \(output), expected NaN")
                    continue
                }
                let flushable = Swift.abs(input) < Double.leastNormalMagnitude || Swift.abs(exact) < Double.leastNormalMagnitude
                if flushable && (output == 0 || output == exact) { continue }
                if exact.isInfinite || output.isInfinite {
                    #expect(output == exact, "\(function) \(path): f(\(input)) = \(output), expected \(exact)")
                    continue
                }
                let error = Swift.abs(output - exact)
                let allowed = Swift.max(absolute, relativeULPs * exact.ulp)
                #expect(error <= allowed, "\(function) \(path): f(\(input)) = \(output), expected \(exact) (error \(error), allowed \(allowed))")
                if error > allowed { return }
            }
        }

        @Test(arguments: Kernels.supportedPaths)
        func floatKernels(path: Kernels.Path) {
            Kernels.withPath(path) {
                checkFloat(.exp, reference: Foundation.exp, absolute: 0, relativeULPs: 2, path: path)
                checkFloat(.tanh, reference: Foundation.tanh, absolute: 2e-7, relativeULPs: 4, path: path)
                checkFloat(.sigmoid, reference: Self.sigmoid, absolute: 2e-7, relativeULPs: 4, path: path)
            }
        }

        @Test(arguments: Kernels.supportedPaths)
        func doubleKernels(path: Kernels.Path) {
            Kernels.withPath(path) {
                checkDouble(.exp, reference: Foundation.exp, absolute: 0, relativeULPs: 2, path: path)
                checkDouble(.tanh, reference: Foundation.tanh, absolute: 4e-16, relativeULPs: 4, path: path)
                checkDouble(.sigmoid, reference: Self.sigmoid, absolute: 4e-16, relativeULPs: 4, path: path)
            }
        }

        @Test(arguments: Kernels.supportedPaths)
        func exactEdgeValues(path: Kernels.Path) {
            Kernels.withPath(path) {
                let x = Tensor<Float>([0, -0.0, .infinity, -.infinity, .nan])
                let tanh = x.tanh().scalars
                #expect(tanh[0] == 0 && tanh[0].sign == .plus)
                #expect(tanh[1] == 0 && tanh[1].sign == .minus)
                #expect(tanh[2] == 1 && tanh[3] == -1 && tanh[4].isNaN)
                let sigmoid = x.sigmoid().scalars
                #expect(sigmoid[0] == 0.5 && sigmoid[2] == 1 && sigmoid[3] == 0 && sigmoid[4].isNaN)
                let exp = x.exp().scalars
                #expect(exp[0] == 1 && exp[2] == .infinity && exp[3] == 0 && exp[4].isNaN)
                #expect(Tensor<Float>([100]).exp().scalar == .infinity)
                #expect(Tensor<Double>([1000]).exp().scalar == .infinity)
                #expect(Tensor<Double>([-.infinity, .infinity]).tanh().scalars == [-1, 1])
            }
        }

        @Test(arguments: [0, 1, 7, 15, 16, 17, 31, 33, 1000])
        func inPlaceAndTailLengths(count: Int) {
            var generator = Xoshiro256StarStar(seed: UInt64(count))
            var x = Tensor<Float>(randomUniform: [count], lowerBound: -5, upperBound: 5, using: &generator)
            let expected = x.tanh()
            x.apply(.tanh)
            #expect(x == expected)
        }

        @Test func denormalFlushingIsScopedToKernels() {
            #expect(Kernels.flushesDenormals)
            let tiny = Float.leastNormalMagnitude / 4
            // Outside kernels, the caller's arithmetic still produces subnormals.
            #expect(tiny * 1 != 0)
            _ = Tensor<Float>([tiny]).tanh()
            #expect(tiny * 1 != 0)
            // Inside kernels, with flushing on, a subnormal product reads as zero.
            #expect((Tensor<Float>([tiny]) * 1).scalar == 0)
        }
    }
}
