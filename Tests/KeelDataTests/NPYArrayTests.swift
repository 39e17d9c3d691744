import Foundation
import Testing
import KeelData

@Suite struct NPYArrayTests {
    @Test func readsNumPyFiles() throws {
        let f4 = try NPYArray(contentsOf: referenceFile("f4_2x3.npy"))
        #expect(f4.shape == [2, 3] && f4.dtype == .float32)
        #expect(f4.tensor(of: Float.self) == Tensor(shape: [2, 3], scalars: [0, 0.25, 0.5, 0.75, 1, 1.25]))
        let f8 = try NPYArray(contentsOf: referenceFile("f8_vector.npy"))
        #expect(f8.shape == [4] && f8.elements == .float64([0.5, -1.25, 3.0, 1e-300]))
        let scalar = try NPYArray(contentsOf: referenceFile("f8_scalar.npy"))
        #expect(scalar.shape == [] && scalar.tensor(of: Double.self).scalar == 2.5)
        let cube = try NPYArray(contentsOf: referenceFile("f4_2x3x4.npy")).tensor(of: Double.self)
        #expect(cube.shape == [2, 3, 4])
        #expect(cube.scalars == (0..<24).map { (Double($0) - 12) / 8 })
        #expect(try NPYArray(contentsOf: referenceFile("f8_v2.npy")).elements == .float64([0, 0.5, 1, 1.5]))
        #expect(try NPYArray(contentsOf: referenceFile("f4_v3.npy")).elements == .float32([0, 0.5, 1, 1.5]))
    }

    @Test func writerMatchesNumPyBytesAndRoundTrips() throws {
        let numpyBytes = try Data(contentsOf: referenceFile("f4_2x3.npy"))
        let array = try NPYArray(data: numpyBytes)
        #expect(array.encoded() == numpyBytes)
        #expect(NPYArray(array.tensor(of: Float.self)).encoded() == numpyBytes)
        let directory = try temporaryDirectory()
        for tensor in [Tensor<Double>(shape: [3, 1, 2], scalars: [1, -2, 3.5, .pi, 0, -0.0]), Tensor<Double>(7)] {
            let url = directory.appendingPathComponent("out.npy")
            try NPYArray(tensor).write(to: url)
            #expect(try NPYArray(contentsOf: url).tensor(of: Double.self) == tensor)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.npy"])  // no temp left
        }
        let long = Tensor<Float>(shape: [1, 2, 3, 4, 5], repeating: 1.5)
        let url = directory.appendingPathComponent("long.npy")
        try NPYArray(long).write(to: url)
        let written = try Data(contentsOf: url)
        #expect(Int(written[8]) + Int(written[9]) << 8 + 10 == 128)  // data 64-byte aligned
        #expect(try NPYArray(contentsOf: url).tensor(of: Float.self) == long)
    }

    @Test func unsupportedFilesThrowWithOffsets() throws {
        let fortran = referenceFile("f4_fortran.npy")
        #expect { try NPYArray(contentsOf: fortran) } throws: { error in
            guard case NPYError.fortranOrder(let file, let offset) = error else { return false }
            return file == fortran.path && offset > 10
        }
        let bigEndian = referenceFile("f4_bigendian.npy")
        #expect { try NPYArray(contentsOf: bigEndian) } throws: { error in
            guard case NPYError.unsupportedDType(let file, let offset, let dtype) = error else { return false }
            return file == bigEndian.path && dtype == ">f4" && offset == 20  // the quote before >f4
        }
        #expect { try NPYArray(contentsOf: referenceFile("i4_vector.npy")) } throws: { error in
            guard case NPYError.unsupportedDType(_, _, let dtype) = error else { return false }
            return dtype == "<i4"
        }
    }

    @Test func corruptFilesThrowWithOffsets() throws {
        let good = [UInt8](try Data(contentsOf: referenceFile("f4_2x3.npy")))  // 128-byte header + 24 bytes
        var magic = good
        magic[3] = UInt8(ascii: "X")
        #expect(throws: NPYError.badMagic(file: "m.npy", byteOffset: 3)) { try NPYArray(data: Data(magic), file: "m.npy") }
        #expect(throws: NPYError.truncated(file: "t.npy", byteOffset: 150, expected: 152)) {
            try NPYArray(data: Data(good[..<150]), file: "t.npy")
        }
        #expect(throws: NPYError.truncated(file: "h.npy", byteOffset: 40, expected: 128)) {
            try NPYArray(data: Data(good[..<40]), file: "h.npy")
        }
        #expect(throws: NPYError.truncated(file: "s.npy", byteOffset: 4, expected: 10)) { try NPYArray(data: Data(good[..<4]), file: "s.npy") }
        #expect(throws: NPYError.trailingBytes(file: "x.npy", byteOffset: 152, count: 1)) { try NPYArray(data: Data(good + [0]), file: "x.npy") }
        var version = good
        version[6] = 4
        #expect(throws: NPYError.unsupportedVersion(file: "v.npy", byteOffset: 6, major: 4, minor: 0)) {
            try NPYArray(data: Data(version), file: "v.npy")
        }
        var header = good
        header[10 + 51] = UInt8(ascii: "x")  // the 2 of "(2, 3)"
        #expect { try NPYArray(data: Data(header), file: "p.npy") } throws: { error in
            guard case NPYError.headerParse(let file, let offset, _) = error else { return false }
            return file == "p.npy" && offset == 61
        }
        let noShape = Array("{'descr': '<f4', 'fortran_order': False, }".utf8)
        let bytes = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(noShape.count + 1), 0] + noShape + [0x0A]
        #expect { try NPYArray(data: Data(bytes), file: "n.npy") } throws: { error in
            guard case NPYError.headerParse(_, _, let reason) = error else { return false }
            return reason.contains("shape")
        }
        let missing = URL(fileURLWithPath: "/nonexistent/keel/a.npy")
        #expect { try NPYArray(contentsOf: missing) } throws: { error in
            guard case NPYError.io(let file, _) = error else { return false }
            return file == missing.path
        }
        let message = String(describing: NPYError.truncated(file: "t.npy", byteOffset: 150, expected: 152))
        #expect(message.contains("t.npy") && message.contains("150"))
    }
}
