import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory new-component <kind> <Name> [--target <T>]`:
/// writes a component and its conformance test from Keel's template; the logic is in keel-component.
@main struct NewComponentPlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var extractor = ArgumentExtractor(arguments)
        let requested = extractor.extractOption(named: "target").first
        let modules = context.package.targets.compactMap { $0 as? SwiftSourceModuleTarget }
        guard let target = modules.first(where: { requested.map($0.name.elementsEqual) ?? ($0.kind == .generic) }) else {
            throw ToolFailure(description: "no Swift library target \(requested ?? "") in \(context.package.displayName); pass --target <name>")
        }
        let tests = modules.first { $0.kind == .test && $0.name == target.name + "Tests" } ?? modules.first { $0.kind == .test }
        // Read the manifest: the Keel products the target and its tests already depend on, so the
        // tool advises only what is missing.
        func products(_ target: SwiftSourceModuleTarget?) -> String {
            (target?.dependencies ?? []).compactMap { dependency -> String? in
                if case .product(let product) = dependency { return product.name }
                return nil
            }.joined(separator: ",")
        }
        let arguments = ["new"] + extractor.remainingArguments + [
            "--module", target.moduleName, "--sources", target.directoryURL.path, "--tests", tests?.directoryURL.path ?? "",
            "--source-products", products(target), "--test-products", products(tests),
        ]
        try runTool(context.tool(named: "KeelComponentTool").url, arguments)
    }
}

struct ToolFailure: Error, CustomStringConvertible { var description: String }

func runTool(_ tool: URL, _ arguments: [String]) throws {
    let process = try Process.run(tool, arguments: arguments)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw ToolFailure(description: "keel-component failed (status \(process.terminationStatus))") }
}
