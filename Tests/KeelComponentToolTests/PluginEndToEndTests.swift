import Foundation
import Testing

/// Creates a consumer package that depends on this checkout of Keel, runs `new-component` and
/// `check-conformance` in it, and expects every law to hold. Slow (it builds Keel in the consumer),
/// so it runs only with KEEL_PLUGIN_TESTS=1.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["KEEL_PLUGIN_TESTS"] == "1"))
struct PluginEndToEndTests {
    @Test(.timeLimit(.minutes(10)))
    func newComponentThenCheckConformance() throws {
        let package = FileManager.default.temporaryDirectory.appendingPathComponent("keel-consumer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: package) }
        try write("""
            // swift-tools-version: 6.1
            import PackageDescription

            let package = Package(
                name: "Consumer",
                dependencies: [.package(name: "Keel", path: "\(repositoryRoot.path)", traits: [])],
                targets: [
                    .target(name: "Widgets", dependencies: [
                        .product(name: "KeelCore", package: "Keel"), .product(name: "KeelOptimizers", package: "Keel"),
                    ]),
                    .testTarget(name: "WidgetsTests", dependencies: ["Widgets", .product(name: "KeelConformance", package: "Keel")]),
                ]
            )
            """, to: package.appendingPathComponent("Package.swift"))
        try write("enum Widgets {}\n", to: package.appendingPathComponent("Sources/Widgets/Widgets.swift"))
        try write("import Testing\n\n@Test func placeholder() {}\n", to: package.appendingPathComponent("Tests/WidgetsTests/Placeholder.swift"))

        let created = try swift(["package", "--allow-writing-to-package-directory", "new-component", "clipper", "MyClipper"], in: package)
        #expect(created.status == 0, "\(created.output)")
        #expect(FileManager.default.fileExists(atPath: package.appendingPathComponent("Sources/Widgets/MyClipper.swift").path))
        let cell = try swift(["package", "--allow-writing-to-package-directory", "new-component", "cell", "MyCell"], in: package)
        #expect(cell.status == 0, "\(cell.output)")
        // The manifest already lists KeelCore for Widgets: only what is missing is advised.
        let layer = try swift(["package", "--allow-writing-to-package-directory", "new-component", "layer", "MyLayer"], in: package)
        #expect(layer.status == 0 && layer.output.contains("already gives"), "\(layer.output)")

        let checked = try swift(["package", "check-conformance"], in: package)
        #expect(checked.status == 0, "\(checked.output)")
        #expect(checked.output.contains("✔ identityBelowBound"))
        #expect(checked.output.contains("✔ backwardMatchesFiniteDifferences"))
        #expect(checked.output.contains("laws verified across 3 component(s)"))
        // The summary comes first, the raw log after it.
        let summary = checked.output.range(of: "Conformance summary"), raw = checked.output.range(of: "Raw test log")
        #expect(summary != nil && raw != nil && summary!.lowerBound < raw!.lowerBound)
    }

    func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func swift(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift"] + arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
