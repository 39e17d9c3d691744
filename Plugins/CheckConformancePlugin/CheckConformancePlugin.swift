import Foundation
import PackagePlugin

/// `swift package check-conformance [--filter <pattern>]`: runs the package's conformance tests
/// (default filter `Conformance`) and prints a per-law summary; the logic is in keel-component.
@main struct CheckConformancePlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var extractor = ArgumentExtractor(arguments)
        let filter = extractor.extractOption(named: "filter").first ?? "Conformance"
        // A separate scratch path: the outer `swift package` holds the lock on .build.
        let scratch = context.pluginWorkDirectoryURL.appendingPathComponent("build").path
        let process = try Process.run(
            context.tool(named: "KeelComponentTool").url,
            arguments: ["check", "--package-path", context.package.directoryURL.path, "--scratch-path", scratch, "--filter", filter])
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CheckFailure(description: "some conformance laws failed (see the summary above)") }
    }
}

struct CheckFailure: Error, CustomStringConvertible { var description: String }
