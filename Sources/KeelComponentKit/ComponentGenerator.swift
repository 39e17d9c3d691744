import Foundation

/// Why a component could not be generated: each message says what to do.
public struct ToolError: Error, CustomStringConvertible, Equatable {
    public var description: String
    /// An error with the given actionable `description`.
    public init(_ description: String) { self.description = description }
}

/// Renders a template with a new component name and module, and writes it into a package.
public struct ComponentGenerator {
    /// Which template to render.
    public var kind: ComponentKind
    /// The new component's type name, e.g. `MyClipper`.
    public var name: String
    /// The module the component lives in (what the test imports).
    public var module: String

    /// A generator of a `kind` component called `name` in `module`.
    ///
    /// - Throws: ``ToolError`` when `name` is not an upper-case Swift type name or `module` is not
    ///   an identifier.
    public init(kind: ComponentKind, name: String, module: String) throws {
        guard Self.isTypeName(name) else {
            throw ToolError("'\(name)' is not a Swift type name: use letters, digits and underscores, starting with an upper-case letter (e.g. MyClipper)")
        }
        guard Self.isIdentifier(module) else { throw ToolError("'\(module)' is not a module name") }
        self.kind = kind
        self.name = name
        self.module = module
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || CharacterSet.alphanumerics.contains($0) }
    }

    static func isTypeName(_ text: String) -> Bool {
        isIdentifier(text) && text.first!.isUppercase
    }

    /// The component's source file.
    public var source: String { renamed(kind.templateSource) }

    /// The conformance test, importing `module`.
    public var test: String {
        let importLine = "import \(kind.templateName)\n"
        let text = kind.templateTest.replacingOccurrences(of: importLine, with: "import \u{1}MODULE\u{1}\n")
        return renamed(text).replacingOccurrences(of: "\u{1}MODULE\u{1}", with: module)
    }

    /// The file names: `<Name>.swift` and `<Name>ConformanceTests.swift`.
    public var sourceFileName: String { "\(name).swift" }
    /// `<Name>ConformanceTests.swift`, the test's file name.
    public var testFileName: String { "\(name)ConformanceTests.swift" }

    private func renamed(_ text: String) -> String {
        text.replacingOccurrences(of: kind.templateName, with: name)
    }

    /// Writes the source into `sourcesDirectory` and the test into `testsDirectory` (when given),
    /// refusing to overwrite; returns the paths written.
    public func write(sourcesDirectory: URL, testsDirectory: URL?) throws -> [URL] {
        var planned = [(sourcesDirectory.appendingPathComponent(sourceFileName), source)]
        if let testsDirectory { planned.append((testsDirectory.appendingPathComponent(testFileName), test)) }
        for (url, _) in planned where FileManager.default.fileExists(atPath: url.path) {
            throw ToolError("\(url.path) already exists; choose another name or delete the file")
        }
        for (url, text) in planned {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return planned.map(\.0)
    }

    /// What the package needs so the new files build.
    public var dependencyAdvice: String { dependencyAdvice(sourceProducts: nil, testProducts: nil) }

    /// What the package still needs so the new files build, given the Keel products the target
    /// and its test target already depend on (read from the manifest by the plugin; `nil` when
    /// unknown, which lists everything). The umbrella product `Keel` provides every library but
    /// `KeelConformance`.
    public func dependencyAdvice(sourceProducts: Set<String>?, testProducts: Set<String>?) -> String {
        func missing(_ needed: [String], from present: Set<String>?) -> [String] {
            guard let present else { return needed }
            return needed.filter { !present.contains($0) && !(present.contains("Keel") && $0 != "KeelConformance") }
        }
        let source = missing(kind.sourceProducts, from: sourceProducts)
        let test = missing(["KeelConformance"], from: testProducts)
        func list(_ products: [String]) -> String {
            products.map { ".product(name: \"\($0)\", package: \"Keel\")" }.joined(separator: ", ")
        }
        var lines: [String] = []
        if !source.isEmpty { lines.append("The target \(module) needs \(list(source)) in Package.swift.") }
        if !test.isEmpty { lines.append("Its test target needs \(list(test)).") }
        if lines.isEmpty { lines.append("Package.swift already gives \(module) and its tests every Keel product they need.") }
        return lines.joined(separator: "\n")
    }
}
