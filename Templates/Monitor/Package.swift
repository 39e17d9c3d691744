// swift-tools-version: 6.0
// A starter package for a custom Keel monitor: copy it, rename NonFiniteLossMonitor, keep the conformance test passing.
import PackageDescription

let package = Package(
    name: "NonFiniteLossMonitor",
    products: [.library(name: "NonFiniteLossMonitor", targets: ["NonFiniteLossMonitor"])],
    dependencies: [.package(name: "Keel", path: "../..")],
    targets: [
        .target(
            name: "NonFiniteLossMonitor",
            dependencies: [.product(name: "KeelCore", package: "Keel")]),
        .testTarget(
            name: "NonFiniteLossMonitorTests",
            dependencies: ["NonFiniteLossMonitor", .product(name: "KeelConformance", package: "Keel")]),
    ]
)
