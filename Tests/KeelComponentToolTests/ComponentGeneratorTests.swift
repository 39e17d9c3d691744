import Foundation
import Testing

import KeelComponentKit

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct ComponentGeneratorTests {
    @Test(arguments: ComponentKind.allCases)
    func embeddedTemplateMatchesTheTemplatePackage(kind: ComponentKind) throws {
        let folder = repositoryRoot.appendingPathComponent("Templates/\(kind.templateFolder)")
        let name = kind.templateName
        let source = try String(contentsOf: folder.appendingPathComponent("Sources/\(name)/\(name).swift"), encoding: .utf8)
        let test = try String(contentsOf: folder.appendingPathComponent("Tests/\(name)Tests/\(name)ConformanceTests.swift"), encoding: .utf8)
        // Out of date: run Templates/embed-templates.py.
        #expect(kind.templateSource == source)
        #expect(kind.templateTest == test)
    }

    @Test(arguments: ComponentKind.allCases)
    func renamesTheComponentAndTheImportedModule(kind: ComponentKind) throws {
        let generator = try ComponentGenerator(kind: kind, name: "MyComponent", module: "Widgets")
        #expect(!generator.source.contains(kind.templateName))
        #expect(generator.source.contains("MyComponent"))
        #expect(!generator.test.contains(kind.templateName))
        #expect(generator.test.contains("import Widgets\n"))
        #expect(generator.test.contains("MyComponentConformanceTests"))
        #expect(generator.sourceFileName == "MyComponent.swift")
        #expect(generator.testFileName == "MyComponentConformanceTests.swift")
    }

    @Test func kindsAcceptCommonSpellings() {
        #expect(ComponentKind(argument: "clipper") == .clipper)
        #expect(ComponentKind(argument: "gradient-clipper") == .clipper)
        #expect(ComponentKind(argument: "GradientClipper") == .clipper)
        #expect(ComponentKind(argument: "Cell") == .cell)
        #expect(ComponentKind(argument: "layer") == .layer)
        #expect(ComponentKind(argument: "gradient-transform") == .transform)
        #expect(ComponentKind(argument: "widget") == nil)
    }

    @Test(arguments: ["myClipper", "My-Clipper", "1Clipper", ""])
    func rejectsNamesThatAreNotTypeNames(name: String) {
        #expect(throws: ToolError.self) { try ComponentGenerator(kind: .clipper, name: name, module: "Widgets") }
    }

    @Test func writesBothFilesAndRefusesToOverwrite() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("keel-component-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let sources = root.appendingPathComponent("Sources/Widgets"), tests = root.appendingPathComponent("Tests/WidgetsTests")
        let generator = try ComponentGenerator(kind: .clipper, name: "MyClipper", module: "Widgets")
        let written = try generator.write(sourcesDirectory: sources, testsDirectory: tests)
        #expect(written.map(\.lastPathComponent) == ["MyClipper.swift", "MyClipperConformanceTests.swift"])
        #expect(try String(contentsOf: written[0], encoding: .utf8).contains("public struct MyClipper<Scalar: TensorScalar>"))
        let error = #expect(throws: ToolError.self) { try generator.write(sourcesDirectory: sources, testsDirectory: tests) }
        #expect(error?.description.contains("already exists") == true)
    }

    @Test func commandLineNewWritesAndAdvises() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("keel-component-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let output = try KeelComponentCommand.run([
            "new", "monitor", "SpikeGuard", "--module", "Widgets", "--sources", root.appendingPathComponent("S").path,
            "--tests", root.appendingPathComponent("T").path,
        ])
        #expect(output.succeeded)
        #expect(output.text.contains("SpikeGuard.swift"))
        #expect(output.text.contains("KeelConformance"))
        #expect(throws: ToolError.self) { try KeelComponentCommand.run(["new", "widget", "X", "--module", "W", "--sources", root.path]) }
    }

    /// Given what the manifest already lists, only the missing products are advised.
    @Test func adviceReadsTheManifestsProducts() throws {
        let generator = try ComponentGenerator(kind: .clipper, name: "MyClipper", module: "Widgets")
        let everything = generator.dependencyAdvice(sourceProducts: ["KeelCore", "KeelOptimizers"], testProducts: ["KeelConformance"])
        #expect(everything.contains("already gives"))
        let partial = generator.dependencyAdvice(sourceProducts: ["KeelCore"], testProducts: [])
        #expect(partial.contains("KeelOptimizers") && !partial.contains("\"KeelCore\"") && partial.contains("KeelConformance"))
        let umbrella = generator.dependencyAdvice(sourceProducts: ["Keel"], testProducts: ["KeelConformance"])
        #expect(umbrella.contains("already gives"))
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("keel-component-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let output = try KeelComponentCommand.run([
            "new", "layer", "Gate", "--module", "Widgets", "--sources", root.appendingPathComponent("S").path,
            "--tests", root.appendingPathComponent("T").path, "--source-products", "KeelCore", "--test-products", "KeelConformance",
        ])
        #expect(output.text.contains("already gives"))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("S/Gate.swift").path))
    }
}

@Suite struct ConformanceSummaryTests {
    static let log = """
        {"component":"MyClipper","law":"identityBelowBound","passed":true}
        {"component":"MyClipper","law":"guaranteeHolds","passed":false,"details":"‖g‖ exceeds 1"}
        {"component":"MyClipper","law":"guaranteeHolds","passed":true}
        not json
        {"component":"MyCell","law":"zeroStateShape","passed":true}
        {"component":"MyCell","law":"recurrentJacobianAtInitialisation","passed":true,"status":"notVerified","details":"no jacobianBound declared"}
        {"component":"MyCell","law":"idempotent","passed":true,"status":"notApplicable","details":"stateful clipper"}
        """

    @Test func failureDominatesRepeatedChecks() {
        let summary = ConformanceSummary(log: Self.log)
        #expect(summary.lawCount == 5)
        #expect(summary.failures.map(\.law) == ["guaranteeHolds"])
    }

    @Test func reportListsEveryLawAndTheTotals() {
        let report = ConformanceSummary(log: Self.log).report
        #expect(report.contains("✔ identityBelowBound"))
        #expect(report.contains("✘ guaranteeHolds: ‖g‖ exceeds 1"))
        #expect(report.contains("2 of 5 laws verified across 2 component(s); 1 failed; 1 not verified; 1 not applicable"))
        #expect(report.contains("? recurrentJacobianAtInitialisation: not verified (no jacobianBound declared)"))
        #expect(report.contains("– idempotent: not applicable (stateful clipper)"))
        #expect(!report.contains("✔ idempotent"))
    }

    @Test func emptyLogExplainsWhatToCheck() {
        #expect(ConformanceSummary(log: "").report.contains("No conformance laws ran"))
    }

    @Test func argumentsSplitOptionsFromPositionals() {
        let arguments = Arguments(["new", "cell", "X", "--module", "M", "--tests", ""])
        #expect(arguments.positional == ["new", "cell", "X"])
        #expect(arguments.option("module") == "M")
        #expect(arguments.option("tests") == "")
    }
}
