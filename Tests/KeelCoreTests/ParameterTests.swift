import Foundation
import Testing
import KeelCore

/// A minimal two-level container: a child with weight and bias, plus a top-level scale.
struct TinyModel: ParameterContainer {
    struct Affine: ParameterContainer {
        var weight = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        var bias = Tensor<Double>([0.5, -0.5])

        func visitParameters(_ visitor: (ParameterKey, Tensor<Double>) throws -> Void) rethrows {
            try visitor("weight", weight)
            try visitor("bias", bias)
        }

        mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Double>) throws -> Void) rethrows {
            try visitor("weight", &weight)
            try visitor("bias", &bias)
        }
    }

    var encoder = Affine()
    var scale = Tensor<Double>(2)

    func visitParameters(_ visitor: (ParameterKey, Tensor<Double>) throws -> Void) rethrows {
        try encoder.visitParameters { key, tensor in try visitor(ParameterKey("encoder").appending(key), tensor) }
        try visitor("scale", scale)
    }

    mutating func updateParameters(_ visitor: (ParameterKey, inout Tensor<Double>) throws -> Void) rethrows {
        try encoder.updateParameters { key, tensor in try visitor(ParameterKey("encoder").appending(key), &tensor) }
        try visitor("scale", &scale)
    }
}

@Suite struct ParameterKeyTests {
    @Test func dottedNames() {
        let key: ParameterKey = "encoder.lstm.weightHH"
        #expect(key.components == ["encoder", "lstm", "weightHH"])
        #expect(key.name == "weightHH")
        #expect(ParameterKey("encoder").appending("lstm.weightHH") == key)
        #expect(key.hasPrefix("encoder.lstm"))
        #expect(key.hasPrefix("encoder.lstm.weightHH"))
        #expect(!key.hasPrefix("encoder.ls"))
    }

    @Test func malformedNamesAreRejectedWhenDecoded() {
        for bad in [#""""#, #"".a""#, #""a..b""#, #""a.""#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(ParameterKey.self, from: Data(bad.utf8)) }
        }
    }
}

@Suite struct ParameterSetTests {
    let set = ParameterSet<Double>([
        ("a.weight", Tensor(shape: [2, 2], scalars: [3, 0, 0, 4])),
        ("a.bias", Tensor([0, 12])),
    ])

    @Test func orderAndLookup() {
        #expect(set.keys == ["a.weight", "a.bias"])
        #expect(set.count == 2)
        #expect(set.scalarCount == 6)
        #expect(set.index(of: "a.bias") == 1)
        #expect(set["a.bias"].scalars == [0, 12])
        #expect(set.tensor(for: "missing") == nil)
        #expect(set.map { $0 * 2 }.keys == set.keys)
        #expect(set.filter { $0.name == "bias" }.keys == ["a.bias"])
        #expect(set[1].key == "a.bias")
    }

    @Test func globalNorms() {
        #expect(set.globalNorm() == 13)  // √(9 + 16 + 144)
        #expect(set.globalNorm(.l1) == 19)
        #expect(set.globalNorm(.infinity) == 12)
        #expect(set.sumOfSquares() == 169)
        #expect(set.norms() == [5, 12])
        var broken = set
        broken["a.bias"] = Tensor([.nan, 1])
        #expect(broken.globalNorm().isNaN)
        #expect(broken.globalNorm(.infinity).isNaN)
        #expect(broken.nonFiniteCount == 1)
        #expect(broken.firstNonFiniteKey == "a.bias")
        #expect(set.firstNonFiniteKey == nil)
    }

    @Test func arithmetic() {
        var g = set
        g.scale(by: 0.5)
        #expect(g["a.weight"].scalars == [1.5, 0, 0, 2])
        #expect(set["a.weight"].scalars == [3, 0, 0, 4])
        g.add(set, scaledBy: 2)
        #expect(g["a.bias"].scalars == [0, 30])
        #expect((set + set)["a.bias"].scalars == [0, 24])
        #expect((set - set).globalNorm() == 0)
        #expect(set.zerosLike().globalNorm() == 0)
        #expect(set.zerosLike().hasSameStructure(as: set))
    }

    @Test func codableRoundTripKeepsOrder() throws {
        let decoded = try JSONDecoder().decode(ParameterSet<Double>.self, from: JSONEncoder().encode(set))
        #expect(decoded == set)
        #expect(decoded.keys == set.keys)
    }

    @Test func duplicateKeysAreRejectedWhenDecoded() throws {
        let entry = #"{"key":"w","tensor":{"shape":[1],"scalars":[1]}}"#
        let json = Data("[\(entry),\(entry)]".utf8)
        #expect {
            try JSONDecoder().decode(ParameterSet<Double>.self, from: json)
        } throws: { error in
            "\(error)".contains("repeats the key w")
        }
    }
}

@Suite struct ParameterContainerTests {
    @Test func visitsWithStablePrefixedKeys() {
        let model = TinyModel()
        #expect(model.parameters.keys == ["encoder.weight", "encoder.bias", "scale"])
        #expect(model.parameterCount == 9)
        #expect(model.parameters.keys == TinyModel().parameters.keys)
    }

    @Test func loadAndUpdate() throws {
        var model = TinyModel()
        let doubled = model.parameters.map { $0 * 2 }
        try model.loadParameters(doubled)
        #expect(model.parameters == doubled)
        model.applyUpdate(doubled, scaledBy: -0.5)
        #expect(model.parameters == TinyModel().parameters)
    }

    @Test func loadingBadSourcesThrowsAndChangesNothing() {
        var model = TinyModel()
        let original = model.parameters
        #expect(throws: ParameterLoadingError.missingKey("scale")) {
            try model.loadParameters(original.filter { $0 != "scale" })
        }
        var wrongShape = original.filter { $0 != "scale" }
        wrongShape.append(Tensor([1, 2]), for: "scale")
        #expect(throws: ParameterLoadingError.shapeMismatch(key: "scale", expected: [], found: [2])) {
            try model.loadParameters(wrongShape)
        }
        var extra = original
        extra.append(Tensor([1]), for: "decoder.weight")
        #expect(throws: ParameterLoadingError.unexpectedKeys(["decoder.weight"])) { try model.loadParameters(extra) }
        #expect(model.parameters == original)
    }
}

@Suite struct ParameterScopingTests {
    @Test func childSeesRelativeKeysAndAccumulatesWithoutCopying() {
        var gradients = TinyModel().parameters.zerosLike()
        let before = gradients["encoder.bias"].withUnsafeBufferPointer { $0.baseAddress! }
        gradients.withScope("encoder") { child in
            #expect(child.keys == ["weight", "bias"])
            child.withTensor(at: 1) { $0 += Tensor([1, 2]) }
            child.append(Tensor([7]), for: "extra")
        }
        #expect(gradients["encoder.bias"].scalars == [1, 2])
        #expect(gradients["encoder.bias"].withUnsafeBufferPointer { $0.baseAddress! } == before)
        #expect(gradients.keys == ["encoder.weight", "encoder.bias", "scale", "encoder.extra"])
        #expect(gradients["scale"].scalars == [0])
    }
}
