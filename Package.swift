// swift-tools-version: 6.1
// Keel: stable training of recurrent and deep networks.
// Swift 6 language mode (the tools-version default), no unsafe compiler flags, no package dependencies
// for library targets: only the `keel` executable uses swift-argument-parser, behind the
// `CommandLineTool` trait (on by default). A package that uses only Keel's libraries depends on
// Keel with `traits: []`, and SwiftPM then neither fetches nor builds swift-argument-parser.
import PackageDescription

let package = Package(
    name: "Keel",
    products: [
        .library(name: "Keel", targets: ["Keel"]),
        .library(name: "KeelCore", targets: ["KeelCore"]),
        .library(name: "KeelLayers", targets: ["KeelLayers"]),
        .library(name: "KeelOptimizers", targets: ["KeelOptimizers"]),
        .library(name: "KeelMonitors", targets: ["KeelMonitors"]),
        .library(name: "KeelData", targets: ["KeelData"]),
        .library(name: "KeelTrainer", targets: ["KeelTrainer"]),
        .library(name: "KeelConformance", targets: ["KeelConformance"]),
        .library(name: "KeelReport", targets: ["KeelReport"]),
        .library(name: "KeelDistributed", targets: ["KeelDistributed"]),
        .library(name: "KeelDoctor", targets: ["KeelDoctor"]),
        .executable(name: "keel", targets: ["KeelCLI"]),
        .executable(name: "keel-bench", targets: ["KeelBench"]),
        .executable(name: "keel-component", targets: ["KeelComponentTool"]),
        .plugin(name: "new-component", targets: ["NewComponentPlugin"]),
        .plugin(name: "check-conformance", targets: ["CheckConformancePlugin"]),
    ],
    traits: [
        .trait(name: "CommandLineTool", description: "The `keel` executable (needs swift-argument-parser)"),
        .default(enabledTraits: ["CommandLineTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The only C in the package: GEMM micro-kernels, vectorized activations and elementwise
        // kernels, with run-time CPU dispatch.
        .target(name: "CKeelKernels", linkerSettings: [.linkedLibrary("m")]),
        .target(name: "KeelCore", dependencies: ["CKeelKernels"]),
        // Data-parallel training over MPI. The MPI library is loaded at run time (dlopen) by this
        // small C target, never linked: Keel builds and runs without MPI installed.
        .target(name: "CKeelMPI", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(name: "KeelDistributed", dependencies: ["CKeelMPI", "KeelCore", "KeelTrainer"]),
        .target(name: "KeelLayers", dependencies: ["KeelCore"]),
        .target(name: "KeelOptimizers", dependencies: ["KeelCore"]),
        .target(name: "KeelMonitors", dependencies: ["KeelCore"]),
        .target(name: "KeelData", dependencies: ["KeelCore"]),
        .target(name: "KeelTrainer", dependencies: ["KeelCore", "KeelLayers", "KeelOptimizers", "KeelMonitors"]),
        .target(name: "KeelConformance", dependencies: ["KeelCore", "KeelLayers", "KeelOptimizers", "KeelMonitors"]),
        // The stability doctor: diagnosis at initialization, short probes, a prescription with evidence.
        .target(name: "KeelDoctor", dependencies: ["KeelCore", "KeelLayers", "KeelOptimizers", "KeelMonitors", "KeelTrainer"]),
        .testTarget(name: "KeelDoctorTests", dependencies: ["KeelDoctor", "KeelTrainer", "KeelData"]),
        .target(
            name: "Keel",
            dependencies: ["KeelCore", "KeelLayers", "KeelOptimizers", "KeelMonitors", "KeelData", "KeelTrainer"]),
        .executableTarget(name: "KeelBench", dependencies: ["KeelCore", "KeelLayers", "KeelOptimizers", "KeelTrainer", "KeelDistributed"], path: "Benchmarks/KeelBench"),
        .testTarget(name: "KeelCoreTests", dependencies: ["KeelCore"], exclude: ["Reference"]),
        .testTarget(name: "KeelLayersTests", dependencies: ["KeelLayers"], exclude: ["Reference"]),
        .testTarget(name: "KeelOptimizersTests", dependencies: ["KeelOptimizers"], exclude: ["Reference"]),
        .testTarget(name: "KeelMonitorsTests", dependencies: ["KeelMonitors"], exclude: ["Reference"]),
        .testTarget(name: "KeelDataTests", dependencies: ["KeelData"], exclude: ["Reference"]),
        .testTarget(name: "KeelTrainerTests", dependencies: ["KeelTrainer", "KeelData", "KeelConformance"], exclude: ["Reference"]),
        .testTarget(name: "KeelConformanceTests", dependencies: ["KeelConformance"]),
        // The README's examples, compiled and run.
        .testTarget(name: "KeelReadmeTests", dependencies: ["Keel"]),
        // Third-party extension tooling: the plugins are thin and call keel-component, where the
        // logic lives and is tested.
        .target(name: "KeelComponentKit"),
        .executableTarget(name: "KeelComponentTool", dependencies: ["KeelComponentKit"]),
        .plugin(
            name: "NewComponentPlugin",
            capability: .command(
                intent: .custom(verb: "new-component", description: "Create a Keel component and its conformance test from a template"),
                permissions: [.writeToPackageDirectory(reason: "Writes the new component and its conformance test")]),
            dependencies: ["KeelComponentTool"]),
        .plugin(
            name: "CheckConformancePlugin",
            capability: .command(
                intent: .custom(verb: "check-conformance", description: "Run the conformance tests and print a per-law summary")),
            dependencies: ["KeelComponentTool"]),
        .testTarget(name: "KeelComponentToolTests", dependencies: ["KeelComponentKit"]),
        // The `keel` command: KeelCommands holds the logic (configuration, validation, runs, demo,
        // sampling) without argument parsing; KeelCLI is the thin swift-argument-parser layer.
        .target(name: "KeelReport", dependencies: ["KeelMonitors"]),
        .target(
            name: "KeelCommands",
            dependencies: ["KeelCore", "KeelLayers", "KeelOptimizers", "KeelMonitors", "KeelData", "KeelTrainer", "KeelReport", "KeelDistributed", "KeelDoctor"]),
        .executableTarget(
            name: "KeelCLI",
            dependencies: [
                "KeelCommands",
                .product(name: "ArgumentParser", package: "swift-argument-parser", condition: .when(traits: ["CommandLineTool"])),
            ]),
        .testTarget(name: "KeelCLITests", dependencies: ["KeelCommands", "KeelReport", "KeelCLI"]),
        // The distributed tests launch `mpirun` on the `keel` executable and on this helper (which
        // runs the communicator and trainer scenarios on each rank); they are skipped, saying why,
        // where MPI is not installed.
        .executableTarget(name: "KeelDistributedHelper", dependencies: ["Keel", "KeelDistributed", "KeelData"], path: "Tests/KeelDistributedHelper"),
        .testTarget(name: "KeelDistributedTests", dependencies: ["KeelDistributed", "KeelData", "KeelCLI", "KeelDistributedHelper"]),
    ]
)
