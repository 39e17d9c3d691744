// swift-tools-version: 6.1
// A starter package for a custom Keel monitor: copy it, rename NonFiniteLossMonitor, keep the conformance test passing.
import PackageDescription

let package = Package(
    name: "NonFiniteLossMonitor",
    products: [.library(name: "NonFiniteLossMonitor", targets: ["NonFiniteLossMonitor"])],
    // The one line to edit after copying this package out of Keel's repository: point it at your
    // Keel checkout (`path:`) or at its repository (`url:` with `from:`). `traits: []` leaves out
    // the `keel` command-line tool, so swift-argument-parser is neither fetched nor built.
    dependencies: [.package(name: "Keel", path: "../..", traits: [])],
    targets: [
        .target(
            name: "NonFiniteLossMonitor",
            dependencies: [.product(name: "KeelCore", package: "Keel")]),
        .testTarget(
            name: "NonFiniteLossMonitorTests",
            dependencies: ["NonFiniteLossMonitor", .product(name: "KeelConformance", package: "Keel")]),
    ]
)
